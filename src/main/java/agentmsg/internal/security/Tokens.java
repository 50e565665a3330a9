package agentmsg.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Agent tokens: random secrets of 256 bits, and the SHA-256 hashes the store keeps instead of them.
 * Thread-safe.
 */
public final class Tokens {
  /** Marks our tokens, so that secret scanners and people can tell what a leaked string is. */
  public static final String PREFIX = "amsg_";

  /** What a token (ours, or a team secret) may look like: header-safe, no spaces, 16-512 long. */
  private static final Pattern WELL_FORMED = Pattern.compile("[\\x21-\\x7e]{16,512}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  /** A new token: {@link #PREFIX} and 32 random bytes in URL-safe base64 without padding. */
  public static String generate() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** Whether {@code token} could be a token: 16-512 printable ASCII characters, no spaces. */
  public static boolean isWellFormed(String token) {
    return token != null && WELL_FORMED.matcher(token).matches();
  }

  /** The SHA-256 of the token's UTF-8 bytes. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The SHA-256 of the token, in lower-case hex: how the store keeps it. */
  public static String hashHex(String token) {
    return HexFormat.of().formatHex(hash(token));
  }

  /**
   * Whether two hashes are equal, in time that does not depend on where they differ. Comparing
   * hashes rather than tokens also keeps the time independent of the tokens' lengths.
   */
  public static boolean sameHash(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /** {@link #sameHash} for a hex hash from the store. */
  public static boolean sameHash(byte[] a, String hexB) {
    return MessageDigest.isEqual(a, HexFormat.of().parseHex(hexB));
  }
}
