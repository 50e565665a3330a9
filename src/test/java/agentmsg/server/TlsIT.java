package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.internal.client.WireClient;
import agentmsg.internal.client.WireConnection;
import agentmsg.internal.security.Pem;
import agentmsg.internal.security.Tokens;
import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.ServerFrame;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Built-in TLS with a self-signed certificate made in the test by the JDK's keytool: PEM files and
 * a PKCS#12 keystore, clients with and without {@code --ca}. Nothing secret is committed.
 */
class TlsIT {
  private static final String PASSWORD = "test-password";

  @TempDir static Path keys;
  @TempDir Path home;
  @TempDir Path otherHome;

  private static Path keystore;
  private static Path certPem;
  private static Path keyPem;
  private static Path otherKeyPem;

  @BeforeAll
  static void makeCertificates() throws Exception {
    keystore = keytool("server", "localhost");
    Path other = keytool("other", "other");
    certPem = keys.resolve("cert.pem");
    keyPem = keys.resolve("key.pem");
    otherKeyPem = keys.resolve("other-key.pem");
    KeyStore store = load(keystore);
    Files.writeString(certPem, pem("CERTIFICATE", store.getCertificate("server").getEncoded()));
    Files.writeString(
        keyPem, pem("PRIVATE KEY", store.getKey("server", PASSWORD.toCharArray()).getEncoded()));
    Files.writeString(
        otherKeyPem,
        pem("PRIVATE KEY", load(other).getKey("other", PASSWORD.toCharArray()).getEncoded()));
  }

  /** A key pair with a self-signed certificate for {@code cn}, localhost and 127.0.0.1. */
  private static Path keytool(String alias, String cn) throws Exception {
    Path file = keys.resolve(alias + ".p12");
    Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                tool.toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + cn,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                file.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return file;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  @BeforeEach
  void registerAgents() {
    for (String agent : List.of("alice", "bob")) {
      try (AgentMessenger messenger =
          AgentMessenger.open(
              Options.builder().home(home).agent(agent).warningListener(w -> {}).build())) {
        messenger.register(AgentType.OTHER);
      }
    }
  }

  private AgentMsgServer start(ServerOptions.Builder builder) {
    return AgentMsgServer.start(
        builder.home(home).port(0).log(new PrintStream(OutputStream.nullOutputStream())).build());
  }

  @Test
  void theTeamSecretGetsAnHttpsConsoleLinkFromAnotherDataHomeWithTheCaOption() throws Exception {
    String secret = Tokens.generate();
    try (AgentMsgServer server =
        start(ServerOptions.builder().tls(certPem, keyPem).sharedSecret(secret))) {
      Path secretFile = keys.resolve("team.secret");
      Files.writeString(secretFile, secret + "\n");
      Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
      String url = "wss://localhost:" + server.port();
      InProcessCli elsewhere = new InProcessCli(otherHome);

      ChildJvm.Result untrusted =
          elsewhere.run("console", "-u", url, "--token-file", secretFile.toString());
      assertThat(untrusted.exitCode()).isEqualTo(1);
      assertThat(untrusted.stderr()).startsWith("error[tls-failed]").contains("--ca");

      ChildJvm.Result link =
          elsewhere.run(
              "console",
              "--json",
              "-u",
              url,
              "--token-file",
              secretFile.toString(),
              "--ca",
              certPem.toString());
      assertThat(link.exitCode()).as(link.toString()).isZero();
      String prefix = "{\"url\":\"https://localhost:" + server.port() + "/console/#code=";
      assertThat(link.stdout().trim()).startsWith(prefix);
      String code = link.stdout().trim().substring(prefix.length()).replace("\"}", "");

      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(Pem.trustStore(certPem));
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      HttpClient http = HttpClient.newBuilder().sslContext(tls).build();
      String base = "https://localhost:" + server.port() + "/console/api/";
      HttpResponse<String> session =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "session"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
      String cookie = session.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie).contains("Secure", "HttpOnly");
      HttpResponse<String> agents =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "agents"))
                  .header("Cookie", cookie.split(";")[0])
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(agents.body()).contains("alice", "bob");
    } finally {
      InProcessCli.stopHosts();
    }
  }

  @Test
  void aRoundTripOverTlsWithASelfSignedCertificateNeedsTheCaOption() throws Exception {
    try (AgentMsgServer server = start(ServerOptions.builder().tls(certPem, keyPem))) {
      assertThat(server.uri().getScheme()).isEqualTo("wss");
      String url = "wss://localhost:" + server.port();
      InProcessCli cli = new InProcessCli(home);

      ChildJvm.Result untrusted = cli.run("send", "alice", "hi", "-s", "bob", "-w", "-u", url);
      assertThat(untrusted.exitCode()).isEqualTo(1);
      assertThat(untrusted.stderr()).startsWith("error[tls-failed]").contains("--ca");

      ChildJvm.Result sent =
          cli.run(
              "send",
              "alice",
              "over TLS",
              "-s",
              "bob",
              "-w",
              "-u",
              url,
              "--ca",
              certPem.toString());
      assertThat(sent.exitCode()).as(sent.toString()).isZero();
      assertThat(sent.stdout()).endsWith("stored for alice");

      try (WireClient client = WireClient.start(certPem);
          WireConnection alice =
              client.connect(
                  server.uri(),
                  Map.of("Authorization", "Bearer " + TestSocket.token(home, "alice")),
                  Duration.ofSeconds(10))) {
        alice.send(new ClientFrame.Hello("alice", ClientFrame.Role.RECEIVE, false, null, false));
        assertThat(next(alice)).isInstanceOf(ServerFrame.Welcome.class);
        ServerFrame pushed = next(alice);
        assertThat(pushed)
            .isInstanceOfSatisfying(
                ServerFrame.Push.class,
                push -> {
                  assertThat(push.from()).isEqualTo("bob");
                  assertThat(push.message()).isEqualTo("over TLS");
                });
      }
    }
  }

  @Test
  void oneClientTalksToAPlainAndATlsServerAtOnce(@TempDir Path plainHome) throws Exception {
    try (AgentMsgServer tls = start(ServerOptions.builder().tls(certPem, keyPem));
        AgentMsgServer plain =
            AgentMsgServer.start(
                ServerOptions.builder()
                    .home(plainHome)
                    .port(0)
                    .noAuth()
                    .log(new PrintStream(OutputStream.nullOutputStream()))
                    .build());
        WireClient client = WireClient.start(certPem);
        WireConnection overPlain = client.connect(plain.uri(), Map.of(), Duration.ofSeconds(10));
        WireConnection overTls =
            client.connect(
                tls.uri(),
                Map.of("Authorization", "Bearer " + TestSocket.token(home, "bob")),
                Duration.ofSeconds(10))) {
      // The TLS connection came second, on a client first started for ws://: both stay up.
      for (WireConnection connection : List.of(overPlain, overTls, overPlain)) {
        connection.send(new ClientFrame.Ping("alice"));
        assertThat(next(connection)).isInstanceOf(ServerFrame.Pong.class);
      }
    }
  }

  @Test
  void aPkcs12KeystoreServesTlsToo() throws Exception {
    try (AgentMsgServer server =
            start(ServerOptions.builder().tlsKeyStore(keystore, PASSWORD.toCharArray()));
        WireClient client = WireClient.start(certPem);
        WireConnection connection =
            client.connect(
                server.uri(),
                Map.of("Authorization", "Bearer " + TestSocket.token(home, "bob")),
                Duration.ofSeconds(10))) {
      connection.send(new ClientFrame.Ping("alice"));
      assertThat(next(connection))
          .isInstanceOfSatisfying(
              ServerFrame.Pong.class, pong -> assertThat(pong.online()).isFalse());
    }
  }

  @Test
  void badTlsFilesAreRefusedAtOnceSayingWhy() {
    assertThatThrownBy(() -> ServerOptions.builder().tls(certPem, otherKeyPem))
        .isInstanceOfSatisfying(
            AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("bad-tls"))
        .hasMessageContaining("does not belong to the first certificate");
    assertThatThrownBy(() -> ServerOptions.builder().tls(keyPem, keyPem))
        .hasMessageContaining("no certificate");
    assertThatThrownBy(() -> ServerOptions.builder().tlsKeyStore(keystore, "wrong".toCharArray()))
        .isInstanceOfSatisfying(
            AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("bad-tls"));
    ServerOptions remote = ServerOptions.builder().host("0.0.0.0").tls(certPem, keyPem).build();
    assertThat(remote.tls()).isTrue();
  }

  private static ServerFrame next(WireConnection connection) throws InterruptedException {
    WireConnection.Event event = connection.next(Duration.ofSeconds(10));
    assertThat(event).as("an event within 10 s").isInstanceOf(WireConnection.Frame.class);
    return ((WireConnection.Frame) event).frame();
  }
}
