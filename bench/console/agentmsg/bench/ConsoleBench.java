package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.HistoryQuery;
import agentmsg.MessageDraft;
import agentmsg.Options;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.server.console.ConsoleCodes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console at scale, in a real headless Chromium: a data home of {@code --agents} agents and
 * {@code --messages} messages; first paint of the console (navigation to the first message shown),
 * and the delay from a message committed by another process ({@code bin/agent-msg send}) to the
 * page showing it. Prints a Markdown report.
 */
public final class ConsoleBench {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(".");
    int agents = 1_000;
    int messages = 100_000;
    int sends = 30;
    Duration soak = null;
    Duration every = Duration.ofMinutes(1);
    double rate = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--root" -> root = Path.of(args[++i]);
        case "--agents" -> agents = Integer.parseInt(args[++i]);
        case "--messages" -> messages = Integer.parseInt(args[++i]);
        case "--sends" -> sends = Integer.parseInt(args[++i]);
        case "--soak" -> soak = duration(args[++i]);
        case "--every" -> every = duration(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path home = Files.createTempDirectory("agent-msg-console-bench");
    try {
      if (soak == null) {
        run(root, home, agents, messages, sends);
      } else {
        ConsoleSoak.run(home, agents, messages, soak, every, rate);
      }
    } finally {
      try (var paths = Files.walk(home)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** {@code 60m}, {@code 90s}, {@code 1h}. */
  private static Duration duration(String text) {
    return Duration.parse("PT" + text.toUpperCase(java.util.Locale.ROOT));
  }

  private static void run(Path root, Path home, int agents, int messages, int sends)
      throws Exception {
    long seedStart = System.nanoTime();
    seed(home, agents, messages);
    long seedMillis = (System.nanoTime() - seedStart) / 1_000_000;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    try (AgentMsgServer server =
        AgentMsgServer.start(ServerOptions.builder().home(home).port(0).log(quiet).build())) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage");
      ChromeDriver browser =
          new ChromeDriver(
              new ChromeDriverService.Builder()
                  .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                  .build(),
              options);
      try {
        String base = "http://127.0.0.1:" + server.port() + "/console/";
        List<Long> paints = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
          browser.manage().deleteAllCookies();
          String url = base + "#code=" + ConsoleCodes.mint(home);
          long start = System.nanoTime();
          browser.get(url);
          wait(browser, Duration.ofSeconds(30))
              .until(
                  driver -> !driver.findElements(By.cssSelector("#threads li.message")).isEmpty());
          paints.add((System.nanoTime() - start) / 1_000_000);
        }
        wait(browser, Duration.ofSeconds(10))
            .until(driver -> driver.findElement(By.id("live")).getText().equals("live"));
        browser.executeScript(
            "window.seen = {};"
                + "new MutationObserver(() => {"
                + "  for (const node of document.querySelectorAll('#threads .body')) {"
                + "    const text = node.textContent;"
                + "    if (text.startsWith('bench-') && !(text in window.seen)) window.seen[text] = Date.now();"
                + "  }"
                + "}).observe(document.getElementById('threads'), {childList: true, subtree: true});");
        List<Long> delays = new ArrayList<>();
        Path cli = root.resolve("bin/agent-msg");
        AgentMessenger reader =
            AgentMessenger.open(Options.builder().home(home).agent("agent-1").build());
        for (int i = 0; i < sends; i++) {
          String body = "bench-" + i;
          ProcessBuilder send =
              new ProcessBuilder(cli.toString(), "send", "agent-1", body, "-s", "agent-0")
                  .redirectErrorStream(true);
          send.environment().put("AGENT_MSG_HOME", home.toString());
          Process process = send.start();
          String output = new String(process.getInputStream().readAllBytes()).trim();
          if (process.waitFor() != 0) {
            throw new IllegalStateException("send failed: " + output);
          }
          Object shown =
              wait(browser, Duration.ofSeconds(30))
                  .until(driver -> browser.executeScript("return window.seen['" + body + "']"));
          // The message's own time, taken by the sending process just before its commit: the
          // delay measured is at most the commit plus the way to the page.
          long stored = reader.history(HistoryQuery.newest(1)).get(0).timestamp().toEpochMilli();
          delays.add(((Number) shown).longValue() - stored);
        }
        reader.close();
        report(agents, messages, seedMillis, paints, delays);
      } finally {
        browser.quit();
      }
    }
  }

  private static WebDriverWait wait(ChromeDriver browser, Duration timeout) {
    WebDriverWait wait = new WebDriverWait(browser, timeout);
    wait.pollingEvery(Duration.ofMillis(5));
    return wait;
  }

  /** Registers the agents, then fans out to all of them until there are enough messages. */
  static void seed(Path home, int agents, int messages) {
    try (AgentMessenger sender =
        AgentMessenger.open(Options.builder().home(home).agent("agent-0").build())) {
      for (int i = 0; i < agents; i++) {
        sender.register("agent-" + i, AgentType.OTHER);
      }
      int sent = 0;
      for (int round = 0; sent < messages; round++) {
        sent +=
            sender.send(MessageDraft.to("@all", "status round " + round + " of the build")).size();
      }
    }
  }

  private static void report(
      int agents, int messages, long seedMillis, List<Long> paints, List<Long> delays) {
    System.out.println("# Console benchmark, " + Instant.now());
    System.out.println();
    System.out.println(
        "Data home: "
            + agents
            + " agents, "
            + messages
            + " messages (seeded in "
            + seedMillis
            + " ms); headless Chromium, server in the bench JVM.");
    System.out.println();
    System.out.println("| Measure | Median | Min | Max | Runs |");
    System.out.println("|---|---|---|---|---|");
    row("First paint (navigation to the first message shown), ms", paints);
    row("Commit by another process (`bin/agent-msg send`) to the page, ms", delays);
  }

  private static void row(String name, List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    System.out.println(
        "| "
            + name
            + " | "
            + sorted.get(sorted.size() / 2)
            + " | "
            + sorted.get(0)
            + " | "
            + sorted.get(sorted.size() - 1)
            + " | "
            + sorted.size()
            + " |");
  }
}
