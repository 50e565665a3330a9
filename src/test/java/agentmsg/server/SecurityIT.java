package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.AgentMessenger;
import agentmsg.AgentMsgException;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.store.Store;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may connect and as whom: tokens, the team secret, origins, the allowlist and the limits, on a
 * real server on port 0 with real clients.
 */
class SecurityIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @TempDir Path home;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private AgentMsgServer server;

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

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private AgentMsgServer start(ServerOptions.Builder builder) {
    server =
        AgentMsgServer.start(
            builder
                .home(home)
                .port(0)
                .log(new PrintStream(logBytes, true, StandardCharsets.UTF_8))
                .build());
    return server;
  }

  private String log() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  private TestSocket track(TestSocket socket) {
    toClose.add(socket);
    return socket;
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private int upgradeStatus(Map<String, String> headers) throws Exception {
    return HttpUpgrade.send(server.uri(), headers).status();
  }

  @Test
  void upgradeWithoutATokenIsRefusedWith401AndABearerChallenge() throws Exception {
    start(ServerOptions.builder());

    HttpUpgrade.Answer answer = HttpUpgrade.send(server.uri(), Map.of());
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.headers()).containsEntry("www-authenticate", "Bearer realm=\"agent-msg\"");

    // Jetty's client sees a clean 401 (not a protocol violation).
    assertThatThrownBy(() -> TestSocket.connect(CLIENT.get(), server.uri()))
        .cause()
        .isInstanceOfSatisfying(
            UpgradeException.class,
            upgrade -> assertThat(upgrade.getResponseStatusCode()).isEqualTo(401));
    assertThat(upgradeStatus(bearer(TestSocket.token(home, "alice")))).isEqualTo(101);

    server.stop();
    assertThat(log()).contains("refused-auth=2");
  }

  @Test
  void wrongTokensAreRefusedWhicheverWayTheyArrive() throws Exception {
    start(ServerOptions.builder());
    String wrong = "amsg_" + "A".repeat(43);

    assertThat(upgradeStatus(bearer(wrong))).isEqualTo(401);
    assertThat(upgradeStatus(Map.of("x-agent-token", wrong))).isEqualTo(401);
    assertThat(upgradeStatus(Map.of("Authorization", "Basic YWxpY2U6c2VjcmV0"))).isEqualTo(401);
    assertThat(HttpUpgrade.send(URI.create(server.uri() + "/?token=" + wrong), Map.of()).status())
        .isEqualTo(401);
    assertThat(log()).doesNotContain(wrong);
  }

  @Test
  void aTokenIsAcceptedAsBearerAsTheOriginalsHeaderAndAsAQueryParameter() throws Exception {
    start(ServerOptions.builder());
    String token = TestSocket.token(home, "alice");

    assertThat(upgradeStatus(bearer(token))).isEqualTo(101);
    assertThat(upgradeStatus(Map.of("x-agent-token", token))).isEqualTo(101);
    URI withQuery = URI.create(server.uri() + "/?token=" + token);
    assertThat(HttpUpgrade.send(withQuery, Map.of()).status()).isEqualTo(101);

    TestSocket viaHeader =
        track(TestSocket.connect(CLIENT.get(), server.uri(), Map.of("x-agent-token", token)));
    viaHeader.send("{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"send-only\"}");
    assertThat(viaHeader.next("welcome").path("agent").asText()).isEqualTo("alice");
  }

  @Test
  void aRotatedTokenIsRefusedAndItsLiveConnectionClosed() throws Exception {
    start(ServerOptions.builder().statsInterval(Duration.ofSeconds(1)));
    String old = TestSocket.token(home, "alice");
    TestSocket live = track(TestSocket.hello(CLIENT.get(), server, "alice", "receive"));

    try (Store store = Store.open(home, Duration.ofSeconds(30))) {
      new AgentTokens(store, warning -> {}).rotate("alice");
    }
    String rotated = TestSocket.token(home, "alice");
    assertThat(rotated).isNotEqualTo(old);

    assertThat(upgradeStatus(bearer(old))).isEqualTo(401);
    assertThat(upgradeStatus(bearer(rotated))).isEqualTo(101);
    assertThat(live.nextOf("error").path("code").asText()).isEqualTo("token-revoked");
    assertThat(live.awaitClose()).isEqualTo(1008);
    assertThat(live.closeReason()).isEqualTo("token-revoked");
  }

  @Test
  void aConnectionSendsOnlyAsItsOwnAgent() throws Exception {
    start(ServerOptions.builder());
    TestSocket alice = track(TestSocket.hello(CLIENT.get(), server, "alice", "send-only"));

    alice.send(
        "{\"type\":\"send\",\"clientId\":\"s1\",\"from\":\"bob\",\"to\":\"bob\",\"message\":\"x\"}");
    JsonNode refused = alice.next("error");
    assertThat(refused.path("code").asText()).isEqualTo("from-mismatch");
    assertThat(refused.path("ref").asText()).isEqualTo("s1");

    // Without a from, the server stamps the connection's agent.
    TestSocket bob = track(TestSocket.hello(CLIENT.get(), server, "bob", "receive"));
    alice.sendMessage("s2", "bob", "really from alice");
    alice.next("stored");
    assertThat(bob.next("message").path("from").asText()).isEqualTo("alice");
  }

  @Test
  void aTokenOfAliceCannotSayHelloAsBob() throws Exception {
    start(ServerOptions.builder());

    TestSocket hello = track(TestSocket.connectAs(CLIENT.get(), server.uri(), home, "alice"));
    hello.send("{\"type\":\"hello\",\"agent\":\"bob\",\"role\":\"send-only\"}");
    assertThat(hello.next("error").path("code").asText()).isEqualTo("auth-agent-mismatch");
    assertThat(hello.awaitClose()).isEqualTo(1008);

    TestSocket register = track(TestSocket.connectAs(CLIENT.get(), server.uri(), home, "alice"));
    register.send("{\"type\":\"register\",\"agent\":\"bob\"}");
    assertThat(register.next("error").path("code").asText()).isEqualTo("auth-agent-mismatch");
    assertThat(register.awaitClose()).isEqualTo(1008);

    server.stop();
    assertThat(log()).contains("auth-agent-mismatch=2");
  }

  @Test
  void aTeamSecretActsAsAnyAgentAndAgentTokensStillWork() throws Exception {
    String secret = "team-secret-0123456789";
    start(ServerOptions.builder().sharedSecret(secret));

    TestSocket asAlice = track(TestSocket.connect(CLIENT.get(), server.uri(), bearer(secret)));
    asAlice.send("{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"receive\"}");
    asAlice.next("welcome");
    TestSocket asBob =
        track(TestSocket.connect(CLIENT.get(), server.uri(), Map.of("x-agent-token", secret)));
    asBob.send("{\"type\":\"hello\",\"agent\":\"bob\",\"role\":\"send-only\"}");
    asBob.next("welcome");
    asBob.sendMessage("t1", "alice", "team message");
    asBob.next("stored");
    assertThat(asAlice.next("message").path("from").asText()).isEqualTo("bob");

    // Still one agent per connection.
    asBob.send("{\"type\":\"hello\",\"agent\":\"alice\",\"role\":\"send-only\"}");
    assertThat(asBob.next("error").path("code").asText()).isEqualTo("already-registered");

    assertThat(upgradeStatus(bearer(TestSocket.token(home, "bob")))).isEqualTo(101);
    assertThat(upgradeStatus(bearer("team-secret-wrong-0000"))).isEqualTo(401);
  }

  @Test
  void noAuthAcceptsClientsWithoutATokenOnLoopback() throws Exception {
    start(ServerOptions.builder().noAuth());
    TestSocket alice = track(TestSocket.hello(CLIENT.get(), server.uri(), "alice", "send-only"));
    alice.sendMessage("n1", "bob", "no token needed");
    assertThat(alice.next("stored").path("clientId").asText()).isEqualTo("n1");
  }

  @Test
  void aCrossOriginUpgradeIsRefusedAndAnAllowedOriginAccepted() throws Exception {
    start(ServerOptions.builder());
    Map<String, String> evil =
        Map.of(
            "Authorization",
            "Bearer " + TestSocket.token(home, "alice"),
            "Origin",
            "https://evil.example");
    assertThat(upgradeStatus(evil)).isEqualTo(403);
    server.stop();
    assertThat(log()).contains("refused-origin=1");

    start(ServerOptions.builder().allowOrigin("https://App.example/"));
    String token = TestSocket.token(home, "alice");
    assertThat(
            upgradeStatus(
                Map.of("Authorization", "Bearer " + token, "Origin", "https://app.example")))
        .isEqualTo(101);
    assertThat(
            upgradeStatus(
                Map.of("Authorization", "Bearer " + token, "Origin", "http://app.example")))
        .isEqualTo(403);
    assertThat(upgradeStatus(Map.of("Origin", "https://app.example")))
        .as("an allowed origin still needs a token")
        .isEqualTo(401);
  }

  @Test
  void theAllowlistRefusesOtherAddressesBeforeTheUpgrade() throws Exception {
    String token = TestSocket.token(home, "alice");
    start(ServerOptions.builder().allow("10.0.0.0/8, fd00::/8"));
    assertThat(upgradeStatus(bearer(token))).isEqualTo(403);
    server.stop();
    assertThat(log()).contains("refused-allowlist=1");

    start(ServerOptions.builder().allow("10.0.0.0/8").allow("127.0.0.1/32,::1"));
    assertThat(upgradeStatus(bearer(token))).isEqualTo(101);
  }

  @Test
  void connectionsPerAddressAreLimited() throws Exception {
    start(ServerOptions.builder().maxConnectionsPerAddress(2));
    // Each says hello, so the server has certainly counted it.
    track(TestSocket.hello(CLIENT.get(), server, "alice", "receive"));
    track(TestSocket.hello(CLIENT.get(), server, "bob", "send-only"));

    assertThat(upgradeStatus(bearer(TestSocket.token(home, "bob")))).isEqualTo(429);
    InProcessCli cli = new InProcessCli(home);
    ChildJvm.Result refused = cli.run("ping", "alice", "-s", "bob", "-u", server.uri().toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).startsWith("error[too-many-connections]");
  }

  @Test
  void aFloodingConnectionIsRateLimitedThenClosedWhileOthersCarryOn() throws Exception {
    start(ServerOptions.builder().maxFramesPerSecond(1));
    TestSocket flood = track(TestSocket.connectAs(CLIENT.get(), server.uri(), home, "bob"));
    // In lock step: each ping waits for its answer (a pong or a rate-limited error), so nothing the
    // flooder sends is in flight when the server closes, and the close frame arrives whole. (A
    // flooder that keeps writing can have its connection reset before it reads what it was sent.)
    List<JsonNode> frames = new ArrayList<>();
    JsonNode last = null;
    for (int i = 0; i < 200; i++) {
      flood.send("{\"type\":\"ping\"}");
      last = flood.next();
      if (last.path("type").asText().equals(TestSocket.CLOSED)) {
        break;
      }
      frames.add(last);
    }
    assertThat(last.path("status").asInt()).as("closed by the server").isEqualTo(1008);
    assertThat(flood.closeReason()).isEqualTo("rate-limited");
    assertThat(frames)
        .as("a strike for each dropped frame until the client counts as abusive")
        .filteredOn(frame -> frame.path("code").asText().equals("rate-limited"))
        .hasSizeGreaterThanOrEqualTo(50);
    assertThat(frames)
        .as("a burst of ten, and maybe a token or two refilled meanwhile")
        .filteredOn(frame -> frame.path("type").asText().equals("pong"))
        .hasSizeBetween(10, 20);

    TestSocket alice = track(TestSocket.hello(CLIENT.get(), server, "alice", "send-only"));
    alice.send("{\"type\":\"ping\"}");
    assertThat(alice.next("pong").path("timestamp").asLong()).isPositive();
    server.stop();
    assertThat(log()).contains("rate-closed=1").containsPattern("rate-limited=[1-9]");
  }

  @Test
  void aClientFloodingWithoutWaitingIsClosedWith1008AndItsStrikesAreBounded() throws Exception {
    start(ServerOptions.builder().maxFramesPerSecond(1000));
    TestSocket flood = track(TestSocket.connectAs(CLIENT.get(), server.uri(), home, "bob"));
    // Not in lock step: 40,000 pings written as fast as the client can, none waiting for an answer.
    // A frame let through now and then (the bucket refills) must not forgive the flood.
    for (int i = 0; i < 40_000 && flood.isOpen(); i++) {
      flood.send("{\"type\":\"ping\"}");
    }
    // The client may see 1008, or a reset if the server drops the socket while it still writes.
    assertThat(flood.awaitClose()).as("closed by the server").isIn(1008, 1006);

    TestSocket alice = track(TestSocket.hello(CLIENT.get(), server, "alice", "send-only"));
    alice.send("{\"type\":\"ping\"}");
    assertThat(alice.next("pong").path("timestamp").asLong()).isPositive();
    server.stop();
    assertThat(log())
        .contains("token of bob")
        .contains(": rate-limited: kept sending over the rate limit of 1000 frames/s")
        .contains("rate-closed=1");
    java.util.regex.Matcher strikes =
        java.util.regex.Pattern.compile("rate-limited=(\\d+)").matcher(log());
    long last = 0;
    while (strikes.find()) {
      last = Long.parseLong(strikes.group(1));
    }
    assertThat(last)
        .as("strikes stop at the cut-off (1,001), not at the end of the flood")
        .isBetween(1001L, 2002L);
  }

  @Test
  void aNonLoopbackHostNeedsAuthAndTls() {
    assertThatThrownBy(() -> ServerOptions.builder().host("0.0.0.0").build())
        .isInstanceOfSatisfying(
            AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("insecure-host"))
        .hasMessageContaining("--tls-cert")
        .hasMessageContaining("--allow-plaintext");
    assertThatThrownBy(
            () -> ServerOptions.builder().host("0.0.0.0").noAuth().allowPlaintext(true).build())
        .isInstanceOfSatisfying(
            AgentMsgException.class, e -> assertThat(e.code()).isEqualTo("insecure-host"))
        .hasMessageContaining("--no-auth");
    ServerOptions plaintext = ServerOptions.builder().host("0.0.0.0").allowPlaintext(true).build();
    assertThat(plaintext.auth()).isEqualTo(ServerAuth.TOKENS);
    assertThat(ServerOptions.builder().host("127.0.0.1").noAuth().build().auth())
        .isEqualTo(ServerAuth.NONE);

    InProcessCli cli = new InProcessCli(home);
    ChildJvm.Result noAuth =
        cli.run("server", "--host", "0.0.0.0", "--no-auth", "--allow-plaintext", "-p", "0");
    assertThat(noAuth.exitCode()).isEqualTo(2);
    assertThat(noAuth.stderr()).startsWith("error[insecure-host]");
  }

  @Test
  void theCliSaysUnauthorizedWithAHint() throws Exception {
    start(ServerOptions.builder());
    InProcessCli cli = new InProcessCli(home);
    String url = server.uri().toString();

    ChildJvm.Result refused =
        cli.run(
            "send",
            "alice",
            "hi",
            "-s",
            "bob",
            "-w",
            "-u",
            url,
            "--header",
            "x-agent-token: amsg_not-the-right-token-at-all");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr())
        .startsWith("error[unauthorized]: " + url + " refused the connection (HTTP 401)")
        .contains("--header")
        .doesNotContain("not-the-right-token");

    // The local CLI sends the agent's own token by itself.
    ChildJvm.Result sent = cli.run("send", "alice", "hi", "-s", "bob", "-w", "-u", url);
    assertThat(sent.exitCode()).as(sent.toString()).isZero();
  }
}
