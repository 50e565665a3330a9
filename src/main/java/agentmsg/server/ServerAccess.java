package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.internal.security.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Who may connect: how clients authenticate, the browser origins accepted and the address ranges
 * allowed. Immutable, made by its {@link Builder}, whose setters reject a bad value at once.
 */
final class ServerAccess {
  private final ServerAuth auth;
  private final byte[] sharedSecretHash;
  private final Set<String> allowedOrigins;
  private final List<AddressRange> allow;

  private ServerAccess(Builder builder) {
    this.auth = builder.auth;
    this.sharedSecretHash = builder.sharedSecretHash;
    this.allowedOrigins = Set.copyOf(builder.allowedOrigins);
    this.allow = List.copyOf(builder.allow);
  }

  ServerAuth auth() {
    return auth;
  }

  /** The SHA-256 of the team secret, or null; a copy. */
  byte[] sharedSecretHash() {
    return sharedSecretHash == null ? null : sharedSecretHash.clone();
  }

  Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  List<AddressRange> allow() {
    return allow;
  }

  @Override
  public String toString() {
    return "auth=" + auth + ", allowedOrigins=" + allowedOrigins + ", allow=" + allow;
  }

  /** Makes {@link ServerAccess}. Not thread-safe. */
  static final class Builder {
    private ServerAuth auth = ServerAuth.TOKENS;
    private byte[] sharedSecretHash;
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private final List<AddressRange> allow = new ArrayList<>();

    ServerAuth auth() {
      return auth;
    }

    void tokenAuth() {
      this.auth = ServerAuth.TOKENS;
      this.sharedSecretHash = null;
    }

    /**
     * @throws AgentMsgException with code {@code bad-token-file} if unreadable or weak
     */
    void sharedSecretFile(Path file) {
      String secret;
      try {
        secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new AgentMsgException(
            "bad-token-file", "cannot read the team secret file " + file + ": " + e);
      }
      if (!Tokens.isWellFormed(secret)) {
        throw new AgentMsgException(
            "bad-token-file",
            "the team secret in "
                + file
                + " must be 16-512 printable characters without spaces (make one with:"
                + " openssl rand -base64 32 > "
                + file.getFileName()
                + ")");
      }
      sharedSecret(secret);
    }

    void sharedSecret(String secret) {
      if (!Tokens.isWellFormed(secret)) {
        throw new IllegalArgumentException(
            "the team secret must be 16-512 printable characters without spaces");
      }
      this.auth = ServerAuth.SHARED_SECRET;
      this.sharedSecretHash = Tokens.hash(secret);
    }

    void noAuth() {
      this.auth = ServerAuth.NONE;
      this.sharedSecretHash = null;
    }

    void allowOrigin(String origin) {
      String normalized = Objects.requireNonNull(origin, "origin").strip().toLowerCase(Locale.ROOT);
      while (normalized.endsWith("/")) {
        normalized = normalized.substring(0, normalized.length() - 1);
      }
      if (!normalized.equals("null")) {
        try {
          URI uri = new URI(normalized);
          if (uri.getScheme() == null || uri.getHost() == null || uri.getRawPath().length() > 0) {
            throw new URISyntaxException(origin, "not scheme://host[:port]");
          }
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException(
              "--allow-origin takes scheme://host[:port] as a browser sends it (e.g."
                  + " https://app.example.com), was '"
                  + origin
                  + "'");
        }
      }
      allowedOrigins.add(normalized);
    }

    /** A comma-separated list of CIDRs or addresses; blank entries are skipped. */
    void allow(String ranges) {
      for (String range : ranges.split(",", -1)) {
        if (!range.isBlank()) {
          allow.add(AddressRange.parse(range));
        }
      }
    }

    ServerAccess build() {
      return new ServerAccess(this);
    }
  }
}
