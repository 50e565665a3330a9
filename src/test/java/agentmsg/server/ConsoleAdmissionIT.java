package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.security.Tokens;
import agentmsg.server.console.ConsoleCodes;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console honours the server's {@code --allow} list and its per-address limits, and from
 * another data home only the team secret gets a sign-in link.
 */
class ConsoleAdmissionIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  private static final Pattern LINK =
      Pattern.compile("\\{\"url\":\"(http://[^#]+)#code=([0-9a-f]{48})\"\\}");

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path otherHome;

  @AfterEach
  void stopHosts() {
    InProcessCli.stopHosts();
  }

  @Test
  void anAddressOutsideTheAllowListGetsNoPageNoSignInNoDataAndNoSocket() throws Exception {
    running.restart(ServerOptions.builder().allow("10.0.0.0/8, fd00::/8"));
    HttpResponse<String> page = get("/console/", null);
    assertThat(page.statusCode()).isEqualTo(403);
    assertThat(page.body()).contains("\"forbidden\"").doesNotContain("<html");
    assertThat(get("/console/console.js", null).statusCode()).isEqualTo(403);
    HttpResponse<String> session = signIn(ConsoleCodes.mint(running.home()));
    assertThat(session.statusCode()).isEqualTo(403);
    assertThat(session.headers().firstValue("set-cookie")).isEmpty();
    HttpResponse<String> agents = get("/console/api/agents", null);
    assertThat(agents.statusCode()).isEqualTo(403);
    assertThat(agents.body()).doesNotContain("alice");
    assertThat(upgrade(Map.of()).status()).isEqualTo(403);

    // The same page for an address the list holds.
    running.restart(ServerOptions.builder().allow("10.0.0.0/8").allow("127.0.0.1/32,::1"));
    assertThat(get("/console/", null).statusCode()).isEqualTo(200);
    String cookie = cookie(signIn(ConsoleCodes.mint(running.home())));
    assertThat(get("/console/api/agents", cookie).body()).contains("alice");
  }

  @Test
  void theLiveSocketCountsTowardTheConnectionsOfItsAddress() throws Exception {
    running.restart(ServerOptions.builder().maxConnectionsPerAddress(1));
    String cookie = cookie(signIn(ConsoleCodes.mint(running.home())));
    TestSocket alice = running.hello("alice", "receive");
    HttpUpgrade.Answer refused = upgrade(Map.of("Cookie", cookie));
    assertThat(refused.status()).as("the address has its one connection").isEqualTo(429);

    assertThat(alice.isOpen()).isTrue();

    // A fresh server: now the console's socket takes the address's one connection.
    running.restart(ServerOptions.builder().maxConnectionsPerAddress(1));
    cookie = cookie(signIn(ConsoleCodes.mint(running.home())));
    TestSocket live =
        running.track(TestSocket.connect(CLIENT.get(), liveUri(), Map.of("Cookie", cookie)));
    // The feed's first frame (the threads the loop guard holds: none) and its first roster come
    // once the server has opened (and counted) the socket.
    assertThat(live.next("holds").path("data").toString()).isEqualTo("[]");
    assertThat(live.next("agents").path("data").toString()).contains("alice");
    assertThat(upgradeWire().status()).as("now the console holds the one").isEqualTo(429);
  }

  @Test
  void requestsFromOneAddressAreHeldToTheRateLimit() throws Exception {
    running.restart(ServerOptions.builder().maxFramesPerSecond(1));
    // A burst of ten is allowed; a hundred at once are not.
    int refused = 0;
    String body = "";
    for (int i = 0; i < 100 && refused == 0; i++) {
      HttpResponse<String> page = get("/console/", null);
      if (page.statusCode() == 429) {
        refused++;
        body = page.body();
      }
    }
    assertThat(refused).isPositive();
    assertThat(body).contains("\"rate-limited\"");
  }

  @Test
  void fromAnotherDataHomeOnlyTheTeamSecretGetsALink() throws Exception {
    String secret = Tokens.generate();
    running.restart(ServerOptions.builder().sharedSecret(secret));
    InProcessCli elsewhere = new InProcessCli(otherHome);
    String server = running.server().uri().toString();

    ChildJvm.Result link =
        elsewhere.run("console", "--json", "-u", server, "--token-file", secretFile(secret));
    assertThat(link.exitCode()).as(link.toString()).isZero();
    Matcher url = LINK.matcher(link.stdout().trim());
    assertThat(url.matches()).as(link.stdout()).isTrue();
    assertThat(url.group(1)).isEqualTo(base() + "/console/");
    String cookie = cookie(signIn(url.group(2)));
    assertThat(get("/console/api/agents", cookie).body()).contains("alice", "bob");

    // An agent's own token reaches the wire, not the console: a console reads everything.
    String aliceToken = TestSocket.token(running.home(), "alice");
    ChildJvm.Result agent =
        elsewhere.run("console", "-u", server, "--token-file", secretFile(aliceToken));
    assertThat(agent.exitCode()).isEqualTo(1);
    assertThat(agent.stderr()).startsWith("error[forbidden]: ").contains("team secret");
    ChildJvm.Result header =
        elsewhere.run(
            "console", "-u", server, "--header", "Authorization: Bearer " + Tokens.generate());
    assertThat(header.exitCode()).isEqualTo(1);
    assertThat(header.stderr()).startsWith("error[forbidden]: ");
    assertThat(header.stdout()).doesNotContain("#code=");
  }

  private String secretFile(String secret) throws Exception {
    Path file = Files.createTempFile(otherHome, "secret", ".token");
    Files.writeString(file, secret + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file.toString();
  }

  private URI liveUri() {
    return URI.create("ws://127.0.0.1:" + running.server().port() + "/console/live");
  }

  private HttpUpgrade.Answer upgrade(Map<String, String> headers) throws Exception {
    return HttpUpgrade.send(liveUri(), headers);
  }

  private HttpUpgrade.Answer upgradeWire() throws Exception {
    return HttpUpgrade.send(
        running.server().uri(),
        Map.of("Authorization", "Bearer " + TestSocket.token(running.home(), "bob")));
  }

  private HttpResponse<String> signIn(String code) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + "/console/api/session"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String cookie(HttpResponse<String> session) {
    assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
    return session.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://127.0.0.1:" + running.server().port();
  }
}
