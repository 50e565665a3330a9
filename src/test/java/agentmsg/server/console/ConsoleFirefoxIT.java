package agentmsg.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.FirefoxBidi;
import agentmsg.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's core checks in a real headless Firefox (Debian's {@code firefox-esr}), driven over
 * WebDriver BiDi, against a real server on port 0: sign-in, a CLI send appearing live, an
 * injected-HTML body shown as text, no data without a session, the keyboard, and a phone's width.
 */
class ConsoleFirefoxIT {
  private static FirefoxBidi firefox;

  @TempDir Path home;
  private AgentMsgServer server;
  private InProcessCli cli;

  @BeforeAll
  static void startFirefox() throws Exception {
    if (!Files.isExecutable(FirefoxBidi.FIREFOX) && !"true".equals(System.getenv("CI"))) {
      // CI installs Debian's firefox-esr (.ci/run); elsewhere it is optional.
      Assumptions.abort("no firefox in /usr/bin to drive the console");
    }
    firefox = FirefoxBidi.start();
  }

  @AfterAll
  static void stopFirefox() throws Exception {
    if (firefox != null) {
      firefox.close();
    }
  }

  @BeforeEach
  void startServer() throws Exception {
    for (String name : new String[] {"alice", "bob"}) {
      try (AgentMessenger messenger =
          AgentMessenger.open(Options.builder().home(home).agent(name).build())) {
        messenger.register(AgentType.CLAUDE_CODE);
      }
    }
    server = AgentMsgServer.start(ServerOptions.builder().home(home).port(0).build());
    cli = new InProcessCli(home);
    firefox.deleteCookies();
    firefox.setViewport(1280, 900);
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop();
    }
    InProcessCli.stopHosts();
  }

  private void signIn() throws Exception {
    ChildJvm.Result result = cli.run("console", "--json", "-u", server.uri().toString());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    Matcher url = Pattern.compile("\\{\"url\":\"([^\"]+)\"\\}").matcher(result.stdout().trim());
    assertThat(url.matches()).as(result.stdout()).isTrue();
    firefox.navigate(url.group(1));
    firefox.waitUntil(
        "the roster and the live socket",
        "document.querySelector(\"#agents tr[data-agent='alice']\") !== null"
            + " && document.getElementById('live').textContent === 'live'");
  }

  private void send(String from, String to, String body) {
    ChildJvm.Result result = cli.run("send", to, body, "-s", from);
    assertThat(result.exitCode()).as(result.toString()).isZero();
  }

  @Test
  void signInShowsTheRosterAndACliSendAppearsLive() throws Exception {
    signIn();
    assertThat(firefox.text("document.querySelector(\"#agents tr[data-agent='bob']\").textContent"))
        .contains("bob", "claude-code");
    firefox.evaluate("window.notReloaded = true");
    send("alice", "bob", "the build is green in Firefox");
    firefox.waitUntil(
        "the message shows live",
        "[...document.querySelectorAll('li.message .body')]"
            + ".some((node) => node.textContent === 'the build is green in Firefox')");
    assertThat(firefox.evaluate("window.notReloaded === true").asBoolean()).isTrue();
    assertThat(firefox.text("document.querySelector('li.message').textContent"))
        .contains("alice", "bob", "stored");
  }

  @Test
  void theKeyboardReachesTheComposerAndCtrlEnterSends() throws Exception {
    signIn();
    firefox.type(FirefoxBidi.TAB);
    assertThat(activeId()).as("the first Tab lands on the skip link").isEqualTo("skip");
    firefox.type(FirefoxBidi.ENTER);
    assertThat(activeId()).isEqualTo("compose-to");
    firefox.type("bob");
    for (int i = 0; i < 5 && !activeId().equals("compose-body"); i++) {
      firefox.type(FirefoxBidi.TAB);
    }
    assertThat(activeId()).isEqualTo("compose-body");
    firefox.type("typed in Firefox");
    firefox.control(FirefoxBidi.ENTER);
    firefox.waitUntil(
        "the send answers",
        "document.getElementById('compose-status').textContent.startsWith('Sent')");
    assertThat(cli.run("inbox", "bob").stdout()).contains("typed in Firefox");
  }

  private String activeId() throws Exception {
    return firefox.text("document.activeElement.id");
  }

  @Test
  void aBodyOfHtmlIsShownAsText() throws Exception {
    String body = "<img src=x onerror=alert(1)><script>window.injected=1</script>";
    send("alice", "bob", body);
    signIn();
    firefox.waitUntil("the message shows", "document.querySelector('li.message .body') !== null");
    assertThat(firefox.text("document.querySelector('li.message .body').textContent"))
        .isEqualTo(body);
    assertThat(
            firefox
                .evaluate("document.querySelectorAll('#threads img, #threads script').length")
                .asInt())
        .isZero();
    assertThat(firefox.evaluate("window.injected === undefined").asBoolean()).isTrue();
  }

  @Test
  void withoutASessionThePageShowsOnlyTheSignIn() throws Exception {
    send("alice", "bob", "nobody signed in sees this");
    firefox.navigate("http://127.0.0.1:" + server.port() + "/console/");
    firefox.waitUntil("the sign-in prompt", "document.getElementById('signin').hidden === false");
    assertThat(firefox.evaluate("document.getElementById('app').hidden").asBoolean()).isTrue();
    assertThat(firefox.text("document.body.textContent"))
        .doesNotContain("nobody signed in sees this")
        .doesNotContain("claude-code");
    assertThat(
            firefox
                .evaluate("fetch('/console/api/agents').then((response) => response.status)")
                .asInt())
        .isEqualTo(401);
  }

  @Test
  void atAPhonesWidthNothingOverflowsAndTheComposerIsReachable() throws Exception {
    send("alice", "bob", "a long line " + "with many words ".repeat(30));
    firefox.setViewport(390, 844);
    signIn();
    firefox.waitUntil("the message shows", "document.querySelector('li.message') !== null");
    assertThat(
            firefox
                .evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                .asBoolean())
        .as("no horizontal overflow at 390 px")
        .isTrue();
    assertThat(
            firefox
                .evaluate(
                    "(() => { const send = document.getElementById('compose-send');"
                        + " send.scrollIntoView(); const box = send.getBoundingClientRect();"
                        + " return box.left >= 0 && box.right <= window.innerWidth"
                        + " && box.top >= 0 && box.bottom <= window.innerHeight"
                        + " && document.elementFromPoint(box.left + box.width / 2,"
                        + " box.top + box.height / 2) === send; })()")
                .asBoolean())
        .as("the send button is on screen and not covered")
        .isTrue();
  }
}
