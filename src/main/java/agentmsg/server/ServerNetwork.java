package agentmsg.server;

import agentmsg.AgentMsgException;
import agentmsg.internal.security.Pem;
import agentmsg.internal.security.Tokens;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Objects;

/**
 * Where a server listens and whether it speaks TLS: the host, the port, the key and whether a
 * non-loopback host may do without TLS. Immutable, made by its {@link Builder}, whose setters
 * reject a bad value at once; {@link #requireProtected} refuses an open host that is not protected.
 */
final class ServerNetwork {
  static final int DEFAULT_PORT = 18790;
  static final String DEFAULT_HOST = "127.0.0.1";
  private final String host;
  private final boolean loopback;
  private final int port;
  private final KeyStore tlsKeyStore;
  private final char[] tlsKeyPassword;
  private final boolean allowPlaintext;

  private ServerNetwork(Builder builder) {
    this.host = builder.host;
    this.loopback = builder.loopback;
    this.port = builder.port;
    this.tlsKeyStore = builder.tlsKeyStore;
    this.tlsKeyPassword = builder.tlsKeyPassword;
    this.allowPlaintext = builder.allowPlaintext;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  boolean tls() {
    return tlsKeyStore != null;
  }

  KeyStore tlsKeyStore() {
    return tlsKeyStore;
  }

  char[] tlsKeyPassword() {
    return tlsKeyPassword;
  }

  boolean allowPlaintext() {
    return allowPlaintext;
  }

  /**
   * Refuses a non-loopback host with {@code auth} {@link ServerAuth#NONE}, or without TLS and
   * without {@code allowPlaintext}.
   *
   * @throws AgentMsgException with code {@code insecure-host} saying what to add
   */
  void requireProtected(ServerAuth auth) {
    if (!loopback && auth == ServerAuth.NONE) {
      throw new AgentMsgException(
          "insecure-host",
          "--no-auth is refused with --host "
              + host
              + ": other machines could act as any agent. Keep the default per-agent tokens"
              + " (agent-msg token show <agent> on this machine, token set on the client) or"
              + " give a team secret with --token-file <file>");
    }
    if (!loopback && tlsKeyStore == null && !allowPlaintext) {
      throw new AgentMsgException(
          "insecure-host",
          "--host "
              + host
              + " is not a loopback address, and tokens would cross the network in plain"
              + " text; add --tls-cert <pem> --tls-key <pem> (or --tls-keystore <p12>), or"
              + " --allow-plaintext if a TLS proxy or VPN already protects the traffic");
    }
  }

  @Override
  public String toString() {
    return "host="
        + host
        + ", port="
        + port
        + ", tls="
        + tls()
        + ", allowPlaintext="
        + allowPlaintext;
  }

  /** Makes {@link ServerNetwork}. Not thread-safe. */
  static final class Builder {
    private String host = DEFAULT_HOST;
    private boolean loopback = true;
    private int port = DEFAULT_PORT;
    private KeyStore tlsKeyStore;
    private char[] tlsKeyPassword;
    private boolean allowPlaintext;

    /**
     * @throws AgentMsgException with code {@code bad-host} if it does not resolve
     */
    void host(String host) {
      Objects.requireNonNull(host, "host");
      InetAddress address;
      try {
        address = InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new AgentMsgException(
            "bad-host", "cannot resolve host '" + host + "' (use e.g. 127.0.0.1)");
      }
      this.host = host;
      this.loopback = address.isLoopbackAddress();
    }

    void port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
      }
      this.port = port;
    }

    /**
     * @throws AgentMsgException with code {@code bad-tls} saying what is wrong with the files
     */
    void tls(Path certPem, Path keyPem) {
      char[] password = Tokens.generate().toCharArray(); // protects the in-memory copy only
      this.tlsKeyStore = Pem.keyStore(certPem, keyPem, password);
      this.tlsKeyPassword = password;
    }

    /**
     * @throws AgentMsgException with code {@code bad-tls} if it cannot be read
     */
    void tlsKeyStore(Path pkcs12, char[] password) {
      this.tlsKeyStore = Pem.pkcs12(pkcs12, password);
      this.tlsKeyPassword = password.clone();
    }

    void allowPlaintext(boolean allowPlaintext) {
      this.allowPlaintext = allowPlaintext;
    }

    ServerNetwork build() {
      return new ServerNetwork(this);
    }
  }
}
