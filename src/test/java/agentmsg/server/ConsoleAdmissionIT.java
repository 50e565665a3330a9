package agentmsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.server.console.ConsoleCodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console honours the server's {@code --allow} list and its per-address limits. */
class ConsoleAdmissionIT {
  @RegisterExtension static final SharedClient CLIENT = new SharedClient();

  @RegisterExtension final RunningServer running = new RunningServer(CLIENT);

  private final HttpClient http = HttpClient.newHttpClient();

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
    // The feed's first roster comes once the server has opened (and counted) the socket.
    assertThat(live.next("agents").path("data").toString()).contains("alice");
    assertThat(upgradeWire().status()).as("now the console holds the one").isEqualTo(429);
  }

  @Test
  void requestsFromOneAddressAreHeldToTheRateLimit() throws Exception {
    running.restart(ServerOptions.builder().maxFramesPerSecond(1));
    // A burst of ten is allowed; a hundred at once are not.
    int refused = 0;
    String body = "";
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> page = get("/console/", null);
      if (page.statusCode() == 429) {
        refused++;
        body = page.body();
      }
    }
    assertThat(refused).isPositive();
    assertThat(body).contains("\"rate-limited\"");
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
