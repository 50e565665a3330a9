package agentmsg.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.testing.ChildJvm;
import agentmsg.testing.InProcessCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The console in a real headless Chromium, against a real server on port 0. */
class ConsoleIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static ChromeDriver browser;

  @TempDir Path home;
  private AgentMsgServer server;
  private InProcessCli cli;

  @BeforeAll
  static void startBrowser() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && !"true".equals(System.getenv("CI"))) {
      // CI installs Debian's chromium and chromium-driver (.ci/run); elsewhere it is optional.
      Assumptions.abort("no chromium and chromedriver in /usr/bin to drive the console");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @BeforeEach
  void startServer() {
    register("alice", AgentType.CLAUDE_CODE);
    register("bob", AgentType.CODEX);
    server = AgentMsgServer.start(ServerOptions.builder().home(home).port(0).build());
    cli = new InProcessCli(home);
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop();
    }
    InProcessCli.stopHosts();
  }

  private void register(String name, AgentType type) {
    try (AgentMessenger messenger =
        AgentMessenger.open(Options.builder().home(home).agent(name).build())) {
      messenger.register(type);
    }
  }

  private String link() {
    ChildJvm.Result result = cli.run("console", "--json", "-u", server.uri().toString());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    Matcher url = Pattern.compile("\\{\"url\":\"([^\"]+)\"\\}").matcher(result.stdout().trim());
    assertThat(url.matches()).as(result.stdout()).isTrue();
    return url.group(1);
  }

  private void signIn() {
    browser.manage().deleteAllCookies();
    browser.get(link());
    waitFor("#agents tbody tr[data-agent='alice']");
    waitUntil("the live socket is open", () -> text("#live").equals("live"));
  }

  private WebElement waitFor(String css) {
    return new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            driver -> driver.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
  }

  private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .withMessage(what)
        .until(driver -> condition.getAsBoolean());
  }

  private String text(String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  private String send(String from, String to, String body) {
    ChildJvm.Result result = cli.run("send", to, body, "-s", from);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result.stdout().trim();
  }

  @Test
  void signInShowsTheRosterAndACliSendAppearsLiveWithItsReceipts() throws Exception {
    signIn();
    assertThat(text("#agents tbody tr[data-agent='alice']")).contains("alice", "claude-code");
    assertThat(text("#agents tbody tr[data-agent='bob']")).contains("bob", "codex");
    browser.executeScript("window.notReloaded = true");

    send("alice", "bob", "the build is green");
    WebElement message = waitFor("li.message");
    assertThat(message.getText()).contains("alice", "bob", "the build is green", "stored");
    assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded"))
        .isEqualTo(true);

    ChildJvm.Result inbox = cli.run("inbox", "bob");
    assertThat(inbox.stdout()).contains("the build is green");
    waitUntil("the read receipt shows", () -> text("li.message .receipts").contains("read"));
    // The README's picture (docs/console.png) is a copy of this one.
    Files.createDirectories(Path.of("target"));
    Files.write(
        Path.of("target/console.png"),
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  private static String id(String sent) {
    return sent.split("\n")[0].split(" ")[1];
  }

  private String thread(String css) {
    return "li.thread[data-thread='" + css + "']";
  }

  private boolean shown(String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return !found.isEmpty() && found.get(0).isDisplayed();
  }

  @Test
  void aHeldThreadIsMarkedLiveAndAHumansReplyFromThePageReleasesIt() {
    String first = id(send("alice", "bob", "shall we ship?"));
    assertThat(cli.run("thread", first, "--hold-after", "2").exitCode()).isZero();
    signIn();
    browser.executeScript("window.notReloaded = true");
    String held = thread(first) + " .held-badge";
    waitFor(thread(first) + " li.message");
    assertThat(shown(held)).as("one agent message in a row: not held").isFalse();

    ChildJvm.Result answer = cli.run("reply", first, "yes, ship it", "-s", "bob");
    assertThat(answer.exitCode()).as(answer.toString()).isZero();
    String second = id(answer.stdout());
    waitUntil("the held marker shows live", () -> shown(held));
    assertThat(text(held)).isEqualTo("Held 2/2");
    assertThat(text(thread(first) + " .held-notice"))
        .isEqualTo(
            "Held by the loop guard: 2 agent messages in a row with no human in between (limit"
                + " 2); the agents' next messages into it are refused. A reply from a human"
                + " releases it.");
    assertThat(cli.run("reply", second, "shipping now", "-s", "alice").exitCode())
        .as("held: refused")
        .isEqualTo(1);

    browser
        .findElement(By.cssSelector("li.message[data-id='" + second + "'] button.reply"))
        .click();
    assertThat(text("#compose-reply"))
        .contains("This thread is held (2/2): a reply from a human releases it.");
    WebElement from = browser.findElement(By.id("compose-from"));
    from.clear();
    from.sendKeys("carla");
    browser.findElement(By.id("compose-body")).sendKeys("wait for the release notes");
    browser.findElement(By.id("compose-send")).click();
    waitUntil("the send answers", () -> text("#compose-status").startsWith("Sent"));

    waitUntil("the held marker goes live", () -> !shown(held));
    assertThat(shown(thread(first) + " .held-notice")).isFalse();
    assertThat(text(thread(first))).contains("wait for the release notes");
    assertThat(cli.run("inbox", "bob").stdout()).contains("wait for the release notes", "carla");
    assertThat(cli.run("reply", second, "shipping now", "-s", "alice").exitCode())
        .as("released: the agents go on")
        .isZero();
    assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded"))
        .isEqualTo(true);
  }

  @Test
  void aLimitSetWithoutAMessageHoldsAndReleasesTheThreadLive() {
    String first = id(send("alice", "bob", "one"));
    String second = id(cli.run("reply", first, "two", "-s", "bob").stdout());
    assertThat(cli.run("reply", second, "three", "-s", "alice").exitCode()).isZero();
    signIn();
    String held = thread(first) + " .held-badge";
    waitFor(thread(first) + " li.message");
    assertThat(shown(held)).isFalse();

    assertThat(cli.run("thread", first, "--hold-after", "2").exitCode()).isZero();
    waitUntil("held with no message", () -> shown(held));
    assertThat(text(held)).isEqualTo("Held 3/2");

    assertThat(cli.run("thread", first, "--hold-after", "5").exitCode()).isZero();
    waitUntil("released by a higher limit", () -> !shown(held));
  }

  @Test
  void searchFindsAMessageByItsWords() {
    send("alice", "bob", "the zebra migration is done");
    send("bob", "alice", "unrelated note");
    signIn();
    browser.findElement(By.id("search-text")).sendKeys("zebra");
    browser.findElement(By.cssSelector("#search button[type=submit]")).click();
    waitUntil("the search answers", () -> text("#search-status").contains("found"));
    assertThat(text("#search-status")).isEqualTo("1 found");
    assertThat(text("#threads"))
        .contains("the zebra migration is done")
        .doesNotContain("unrelated");
  }

  @Test
  void aReplyFromThePageLandsInTheAgentsInbox() {
    send("alice", "bob", "who reviews this?");
    signIn();
    waitFor("li.message button.reply").click();
    WebElement from = browser.findElement(By.id("compose-from"));
    from.clear();
    from.sendKeys("carla");
    browser.findElement(By.id("compose-body")).sendKeys("I will, tonight");
    browser.findElement(By.id("compose-send")).click();
    waitUntil("the send answers", () -> text("#compose-status").startsWith("Sent"));

    ChildJvm.Result inbox = cli.run("inbox", "alice");
    assertThat(inbox.stdout()).contains("I will, tonight", "carla");
    assertThat(cli.run("list").stdout()).contains("carla", "human");
    waitUntil("the reply shows live", () -> text("#threads").contains("I will, tonight"));
  }

  @Test
  void theKeyboardReachesTheComposerAndCtrlEnterSends() {
    signIn();
    Actions keys = new Actions(browser);
    keys.sendKeys(Keys.TAB).perform();
    assertThat(activeId()).as("the first Tab lands on the skip link").isEqualTo("skip");
    keys.sendKeys(Keys.ENTER).perform();
    assertThat(activeId()).isEqualTo("compose-to");
    keys.sendKeys("bob").perform();
    for (int i = 0; i < 5 && !activeId().equals("compose-body"); i++) {
      keys.sendKeys(Keys.TAB).perform();
    }
    assertThat(activeId()).isEqualTo("compose-body");
    keys.sendKeys("typed, never clicked").perform();
    keys.keyDown(Keys.CONTROL).sendKeys(Keys.ENTER).keyUp(Keys.CONTROL).perform();
    waitUntil("the send answers", () -> text("#compose-status").startsWith("Sent"));
    assertThat(cli.run("inbox", "bob").stdout()).contains("typed, never clicked");
  }

  @Test
  void theLookFollowsTheSystemsDarkOrLightScheme() {
    signIn();
    try {
      assertThat(colorsUnder("dark")).isEqualTo(List.of("rgb(18, 20, 23)", "rgb(230, 230, 230)"));
      assertThat(colorsUnder("light")).isEqualTo(List.of("rgb(250, 250, 250)", "rgb(27, 27, 27)"));
    } finally {
      browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }
  }

  @Test
  void atAPhonesWidthNothingOverflowsAndTheComposerIsReachable() {
    send("alice", "bob", "a long line " + "with many words ".repeat(30));
    browser.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 390, "height", 844, "deviceScaleFactor", 3, "mobile", true));
    try {
      signIn();
      waitFor("li.message");
      assertThat(browser.executeScript("return innerWidth")).isEqualTo(390L);
      assertThat(
              browser.executeScript(
                  "return document.documentElement.scrollWidth <= window.innerWidth"))
          .as("no horizontal overflow at 390 px")
          .isEqualTo(true);
      WebElement sendButton = browser.findElement(By.id("compose-send"));
      browser.executeScript("arguments[0].scrollIntoView()", sendButton);
      assertThat(
              browser.executeScript(
                  "const box = arguments[0].getBoundingClientRect();"
                      + " return box.left >= 0 && box.right <= innerWidth"
                      + " && document.elementFromPoint(box.left + box.width / 2,"
                      + " box.top + box.height / 2) === arguments[0];",
                  sendButton))
          .as("the send button is on screen and not covered")
          .isEqualTo(true);
    } finally {
      browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
  }

  private String activeId() {
    return String.valueOf(browser.executeScript("return document.activeElement.id"));
  }

  /** The page's background and text colours while the system prefers {@code scheme}. */
  private List<Object> colorsUnder(String scheme) {
    browser.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    assertThat(
            browser.executeScript(
                "return matchMedia('(prefers-color-scheme: " + scheme + ")').matches"))
        .isEqualTo(true);
    Object colors =
        browser.executeScript(
            "const style = getComputedStyle(document.body);"
                + " return [style.backgroundColor, style.color];");
    return new java.util.ArrayList<>((List<?>) colors);
  }

  @Test
  void aLongRosterDrawsOnlyTheRowsInViewAndFollowsTheScroll() {
    try (AgentMessenger messenger =
        AgentMessenger.open(Options.builder().home(home).agent("alice").build())) {
      for (int i = 0; i < 300; i++) {
        messenger.register(String.format("worker-%03d", i), AgentType.OTHER);
      }
    }
    signIn();
    int drawn = browser.findElements(By.cssSelector("#agents tr[data-agent]")).size();
    assertThat(drawn).as("rows in the page of 302").isBetween(2, 150);
    assertThat(browser.findElements(By.cssSelector("tr[data-agent='worker-299']"))).isEmpty();
    browser.executeScript(
        "const box = document.getElementById('agents').parentElement;"
            + " box.scrollTop = box.scrollHeight;");
    WebElement last = waitFor("tr[data-agent='worker-299']");
    assertThat(last.getText()).contains("worker-299", "other");
    assertThat(browser.findElements(By.cssSelector("tr[data-agent='alice']")))
        .as("scrolled out of view, dropped")
        .isEmpty();
  }

  @Test
  void aBodyOfHtmlIsShownAsText() {
    String body = "<img src=x onerror=alert(1)><script>window.injected=1</script>";
    send("alice", "bob", body);
    signIn();
    WebElement shown = waitFor("li.message .body");
    assertThat(shown.getText()).isEqualTo(body);
    assertThat(browser.findElements(By.cssSelector("#threads img, #threads script"))).isEmpty();
    assertThat(browser.executeScript("return window.injected === undefined")).isEqualTo(true);
  }

  @Test
  void withoutASessionTheApiAndTheSocketAreRefused() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();
    HttpResponse<String> agents =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/api/agents")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(agents.statusCode()).isEqualTo(401);
    assertThat(agents.body()).doesNotContain("alice");

    HttpResponse<String> upgrade =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/live"))
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(upgrade.statusCode()).isEqualTo(401);

    String code = link().replaceAll(".*#code=", "");
    HttpResponse<String> elsewhere =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/api/session"))
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(elsewhere.statusCode()).isEqualTo(403);

    for (String garbled : new String[] {"not json", "[1, 2]", "", "{\"code\": "}) {
      // A client of its own each: the server may close the connection after refusing a request.
      HttpResponse<String> refused =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/console/api/session"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(garbled))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as("a sign-in body of '%s'", garbled).isEqualTo(400);
      assertThat(refused.body()).contains("invalid-request");
    }
    HttpResponse<String> first = redeem(http, base, code);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("set-cookie").orElse(""))
        .contains("HttpOnly", "SameSite=Strict");
    assertThat(redeem(http, base, code).statusCode()).as("a code works once").isEqualTo(401);
    String cookie = first.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    HttpResponse<String> signedIn =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/api/agents"))
                .header("Cookie", cookie)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.body()).contains("alice");
    HttpResponse<String> foreignSocket =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/live"))
                .header("Cookie", cookie)
                .header("Origin", "http://evil.example")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(foreignSocket.statusCode()).as("a session from another origin").isEqualTo(403);
    HttpResponse<String> foreignApi =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/api/agents"))
                .header("Cookie", cookie)
                .header("Origin", "http://evil.example")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(foreignApi.statusCode()).isEqualTo(403);

    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.headers().firstValue("content-security-policy").orElse(""))
        .contains("default-src 'self'", "script-src 'self'");
    assertThat(page.body()).doesNotContain("alice").doesNotContain("<script>");
  }

  private static HttpResponse<String> redeem(HttpClient http, String base, String code)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/console/api/session"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
