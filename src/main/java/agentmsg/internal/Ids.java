package agentmsg.internal;

import java.security.SecureRandom;

/**
 * Message ids: 26 characters of Crockford base32, a 48-bit millisecond time followed by 80 random
 * bits (the ULID layout). They sort by creation time, are unique across processes without
 * coordination, and are safe as file names. Thread-safe.
 */
public final class Ids {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** A new id for a message created now. */
  public static String newId() {
    return newId(System.currentTimeMillis());
  }

  /**
   * 26 characters of Crockford base32 made from the first 130 bits of {@code digest} (at least 17
   * bytes, e.g. a SHA-256): the same characters as an id, for ids that must be the same every time
   * they are made from the same thing.
   */
  public static String fromDigest(byte[] digest) {
    if (digest.length < 17) {
      throw new IllegalArgumentException("a digest of " + digest.length + " bytes, under 17");
    }
    char[] out = new char[26];
    int bit = 0;
    for (int i = 0; i < out.length; i++, bit += 5) {
      int index = bit / 8;
      int twoBytes = (digest[index] & 0xFF) << 8 | (digest[index + 1] & 0xFF);
      out[i] = ALPHABET[(twoBytes >>> (11 - bit % 8)) & 31];
    }
    return new String(out);
  }

  static String newId(long epochMillis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    char[] out = new char[26];
    long time = epochMillis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (time & 31)];
      time >>>= 5;
    }
    // 80 random bits as 16 characters of 5 bits each.
    long high = 0;
    for (int i = 0; i < 5; i++) {
      high = (high << 8) | (random[i] & 0xFF);
    }
    long low = 0;
    for (int i = 5; i < 10; i++) {
      low = (low << 8) | (random[i] & 0xFF);
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = ALPHABET[(int) (high & 31)];
      high >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = ALPHABET[(int) (low & 31)];
      low >>>= 5;
    }
    return new String(out);
  }
}
