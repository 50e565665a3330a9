package agentmsg.bench;

import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import agentmsg.server.console.ConsoleCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's memory under live traffic: an open page in headless Chromium while another process
 * ({@link SoakTraffic}) sends a steady few messages a second, sampled every {@code --every}: the
 * page's JavaScript heap and DOM size (CDP {@code Performance.getMetrics}) and the resident memory
 * of the browser's renderer processes (from {@code /proc}). Prints the curve as it goes, then the
 * final figures, the heap also after a forced garbage collection.
 */
final class ConsoleSoak {
  private static final long MB = 1024 * 1024;

  private ConsoleSoak() {}

  static void run(Path home, int agents, int messages, Duration soak, Duration every, double rate)
      throws Exception {
    long seedStart = System.nanoTime();
    ConsoleBench.seed(home, agents, messages);
    long seedMillis = (System.nanoTime() - seedStart) / 1_000_000;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    Path profile = Files.createTempDirectory("agent-msg-soak-profile");
    try (AgentMsgServer server =
        AgentMsgServer.start(ServerOptions.builder().home(home).port(0).log(quiet).build())) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-dev-shm-usage",
          "--user-data-dir=" + profile);
      ChromeDriver browser =
          new ChromeDriver(
              new ChromeDriverService.Builder()
                  .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                  .build(),
              options);
      Process traffic = null;
      try {
        browser.get(
            "http://127.0.0.1:" + server.port() + "/console/#code=" + ConsoleCodes.mint(home));
        new WebDriverWait(browser, Duration.ofSeconds(60))
            .until(driver -> driver.findElement(By.id("live")).getText().equals("live"));
        browser.executeCdpCommand("Performance.enable", Map.of());
        System.out.println("# Console soak, " + Instant.now());
        System.out.println();
        System.out.println(
            "Data home: "
                + agents
                + " agents, "
                + messages
                + " messages (seeded in "
                + seedMillis
                + " ms); live traffic "
                + rate
                + " messages/s from another process for "
                + soak.toMinutes()
                + " min; headless Chromium, server in the bench JVM.");
        System.out.println();
        System.out.println(
            "| Minute | JS heap used, MB | JS heap total, MB | DOM nodes | Listeners |"
                + " Renderer PSS, MB | Messages on the page | Sent |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        traffic =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    SoakTraffic.class.getName(),
                    home.toString(),
                    Integer.toString(agents),
                    Double.toString(rate))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long start = System.nanoTime();
        long end = start + soak.toNanos();
        sample(browser, profile, start);
        while (System.nanoTime() < end) {
          TimeUnit.NANOSECONDS.sleep(Math.min(every.toNanos(), end - System.nanoTime()));
          if (!traffic.isAlive()) {
            throw new IllegalStateException("the traffic process stopped: " + traffic.exitValue());
          }
          sample(browser, profile, start);
        }
        traffic.destroy();
        traffic.waitFor(10, TimeUnit.SECONDS);
        Map<String, Number> before = metrics(browser);
        browser.executeCdpCommand("HeapProfiler.enable", Map.of());
        browser.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        Map<String, Number> after = metrics(browser);
        System.out.println();
        System.out.println(
            "Final: JS heap used "
                + mb(before.get("JSHeapUsedSize"))
                + " MB ("
                + mb(after.get("JSHeapUsedSize"))
                + " MB after a forced garbage collection), renderers' memory (PSS, MB) "
                + renderers(profile)
                + ", "
                + before.get("Nodes")
                + " DOM nodes. Target: under 200 MB.");
      } finally {
        if (traffic != null) {
          traffic.destroyForcibly();
        }
        browser.quit();
      }
    } finally {
      try (var paths = Files.walk(profile)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static void sample(ChromeDriver browser, Path profile, long start) {
    Map<String, Number> metrics = metrics(browser);
    Object shown = browser.executeScript("return document.querySelectorAll('li.message').length");
    Object sent =
        browser.executeScript(
            "const bodies = [...document.querySelectorAll('#threads .body')]"
                + ".map((node) => node.textContent).filter((text) => text.startsWith('soak '))"
                + ".map((text) => parseInt(text.slice(5), 10));"
                + "return bodies.length === 0 ? 0 : Math.max(...bodies) + 1;");
    System.out.println(
        "| "
            + TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - start)
            + " | "
            + mb(metrics.get("JSHeapUsedSize"))
            + " | "
            + mb(metrics.get("JSHeapTotalSize"))
            + " | "
            + metrics.get("Nodes")
            + " | "
            + metrics.get("JSEventListeners")
            + " | "
            + renderers(profile)
            + " | "
            + shown
            + " | "
            + sent
            + " |");
    System.out.flush();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Number> metrics(ChromeDriver browser) {
    Map<String, Object> result = browser.executeCdpCommand("Performance.getMetrics", Map.of());
    Map<String, Number> out = new java.util.HashMap<>();
    for (Object entry : (List<Object>) result.get("metrics")) {
      Map<String, Object> metric = (Map<String, Object>) entry;
      out.put((String) metric.get("name"), (Number) metric.get("value"));
    }
    return out;
  }

  private static String mb(Number bytes) {
    return bytes == null ? "?" : String.format("%.1f", bytes.doubleValue() / MB);
  }

  /**
   * The memory of the renderers of the browser that runs on {@code profile}: their proportional set
   * size (each shared page split among the processes that map it), and how many there are.
   */
  private static String renderers(Path profile) {
    List<ProcessHandle> browsers = new ArrayList<>();
    ProcessHandle.allProcesses()
        .filter(
            process -> {
              String line = commandLine(process.pid());
              return line.contains("--user-data-dir=" + profile) && !line.contains("--type=");
            })
        .forEach(browsers::add);
    long pss = 0;
    long rss = 0;
    int count = 0;
    for (ProcessHandle browser : browsers) {
      for (ProcessHandle child : (Iterable<ProcessHandle>) browser.descendants()::iterator) {
        if (commandLine(child.pid()).contains("--type=renderer")) {
          pss += kilobytes(child.pid(), "smaps_rollup", "Pss:");
          rss += kilobytes(child.pid(), "status", "VmRSS:");
          count++;
        }
      }
    }
    return pss / 1024 + " (RSS " + rss / 1024 + ", " + count + " renderers)";
  }

  private static String commandLine(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
              StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return ""; // gone, or not ours to read
    }
  }

  private static long kilobytes(long pid, String file, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0; // the process ended between the listing and the read
    }
    return 0;
  }
}
