package agentmsg.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A headless Firefox driven over WebDriver BiDi, which Firefox speaks itself: no geckodriver. It
 * starts {@code firefox --headless --remote-debugging-port=0} on a fresh profile, reads the socket
 * address it prints, opens a session and drives its one tab ({@code browsingContext.navigate},
 * {@code script.evaluate}, {@code browsingContext.setViewport}, {@code storage.deleteCookies}).
 * Public because Jetty calls the listener through method handles. Not thread-safe: one test thread
 * drives it.
 */
public final class FirefoxBidi implements Session.Listener.AutoDemanding, AutoCloseable {
  /** Where Debian's {@code firefox-esr} puts its launcher. */
  public static final Path FIREFOX = Path.of("/usr/bin/firefox");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING =
      Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final Map<Integer, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private Process process;
  private Path profile;
  private WebSocketClient client;
  private volatile Session session;
  private String context;

  private FirefoxBidi() {}

  /** Starts Firefox and opens a BiDi session on its tab. */
  public static FirefoxBidi start() throws Exception {
    FirefoxBidi firefox = new FirefoxBidi();
    try {
      firefox.launch();
    } catch (Exception | Error e) {
      firefox.close();
      throw e;
    }
    return firefox;
  }

  private void launch() throws Exception {
    profile = Files.createTempDirectory("agent-msg-firefox");
    // Quiet start: no first-run pages, no update or telemetry traffic.
    Files.writeString(
        profile.resolve("user.js"),
        String.join(
            "\n",
            "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
            "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");",
            "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
            "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);",
            "user_pref(\"app.update.disabledForTesting\", true);",
            "user_pref(\"network.captive-portal-service.enabled\", false);",
            ""));
    process =
        new ProcessBuilder(
                FIREFOX.toString(),
                "--headless",
                "--no-remote",
                "--remote-debugging-port=0",
                "--profile",
                profile.toString(),
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String address = awaitAddress();
    client = new WebSocketClient();
    client.setMaxTextMessageSize(16 * 1024 * 1024);
    client.start();
    session = client.connect(this, URI.create(address + "/session")).get(30, TimeUnit.SECONDS);
    ObjectNode capabilities = JSON.createObjectNode();
    capabilities.putObject("capabilities");
    command("session.new", capabilities);
    context =
        command("browsingContext.getTree", JSON.createObjectNode())
            .path("contexts")
            .get(0)
            .path("context")
            .asText();
  }

  /** Reads Firefox's output until it names its BiDi socket; the rest is drained, unread. */
  private String awaitAddress() throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      Matcher address = LISTENING.matcher(line);
      if (address.find()) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // Firefox's diagnostics, not the test's business.
                    }
                  } catch (IOException ended) {
                    // Firefox stopped.
                  }
                },
                "firefox-output");
        drain.setDaemon(true);
        drain.start();
        return address.group(1);
      }
      seen.append(line).append('\n');
    }
    throw new IllegalStateException("firefox ended without a BiDi address:\n" + seen);
  }

  /** Sends a command and returns its result; a BiDi error fails with its message. */
  public JsonNode command(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    answers.put(id, answer);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id).put("method", method).set("params", params);
    session.sendText(JSON.writeValueAsString(message), Callback.NOOP);
    JsonNode reply = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!reply.path("type").asText().equals("success")) {
      throw new IllegalStateException(method + " failed: " + reply);
    }
    return reply.path("result");
  }

  /** Opens {@code url} in the tab and waits until it has loaded. */
  public void navigate(String url) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("context", context).put("url", url).put("wait", "complete");
    command("browsingContext.navigate", params);
  }

  /**
   * Evaluates {@code expression} in the page (awaiting a promise) and returns its value: a string,
   * number or boolean as JSON, null for undefined or null.
   */
  public JsonNode evaluate(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("expression", expression).put("awaitPromise", true);
    params.putObject("target").put("context", context);
    JsonNode result = command("script.evaluate", params);
    if (!result.path("type").asText().equals("success")) {
      throw new IllegalStateException(
          "the page threw on " + expression + ": " + result.path("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** {@link #evaluate} for an expression whose value is a string. */
  public String text(String expression) throws Exception {
    return evaluate(expression).asText();
  }

  /** Waits (10 s at most) until {@code expression} is true in the page. */
  public void waitUntil(String what, String expression) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!evaluate(expression).asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("within 10 s in Firefox: " + what);
      }
      Thread.onSpinWait();
    }
  }

  /** Waits (10 s at most) until {@code condition} holds. */
  public static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("within 10 s: " + what);
      }
      Thread.onSpinWait();
    }
  }

  /** Sets the size of the tab's viewport in CSS pixels. */
  public void setViewport(int width, int height) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("context", context);
    params.putObject("viewport").put("width", width).put("height", height);
    command("browsingContext.setViewport", params);
  }

  /** The WebDriver key values of Tab, Enter and Control. */
  public static final String TAB = "\uE004";

  public static final String ENTER = "\uE007";
  public static final String CONTROL = "\uE009";

  /**
   * Presses and releases each key of {@code text} in turn, as a person typing ({@code
   * input.performActions}): a character, or {@link #TAB} or {@link #ENTER}.
   */
  public void type(String text) throws Exception {
    ObjectNode keyboard = keyboard();
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      String key = new String(Character.toChars(codePoint));
      keyboard.withArray("actions").addObject().put("type", "keyDown").put("value", key);
      keyboard.withArray("actions").addObject().put("type", "keyUp").put("value", key);
      i += Character.charCount(codePoint);
    }
    perform(keyboard);
  }

  /** Holds Control while pressing {@code key}. */
  public void control(String key) throws Exception {
    ObjectNode keyboard = keyboard();
    keyboard.withArray("actions").addObject().put("type", "keyDown").put("value", CONTROL);
    keyboard.withArray("actions").addObject().put("type", "keyDown").put("value", key);
    keyboard.withArray("actions").addObject().put("type", "keyUp").put("value", key);
    keyboard.withArray("actions").addObject().put("type", "keyUp").put("value", CONTROL);
    perform(keyboard);
  }

  private static ObjectNode keyboard() {
    ObjectNode keyboard = JSON.createObjectNode();
    keyboard.put("type", "key").put("id", "keyboard").putArray("actions");
    return keyboard;
  }

  private void perform(ObjectNode source) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("context", context).putArray("actions").add(source);
    command("input.performActions", params);
  }

  /** Forgets every cookie (a signed-out browser). */
  public void deleteCookies() throws Exception {
    command("storage.deleteCookies", JSON.createObjectNode());
  }

  @Override
  public void onWebSocketText(String text) {
    try {
      JsonNode message = JSON.readTree(text);
      JsonNode id = message.get("id");
      if (id != null && id.isInt()) {
        CompletableFuture<JsonNode> answer = answers.remove(id.asInt());
        if (answer != null) {
          answer.complete(message);
        }
      } // events: none subscribed to
    } catch (IOException e) {
      answers.values().forEach(answer -> answer.completeExceptionally(e));
    }
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    // The socket ends when Firefox does, at close: the answers still waited on fail, no more.
    answers.values().forEach(answer -> answer.completeExceptionally(cause));
  }

  @Override
  // Jetty 12.1 deprecates this callback for one with a Callback, as for the server's listeners.
  @SuppressWarnings("removal")
  public void onWebSocketClose(int statusCode, String reason) {
    IllegalStateException closed =
        new IllegalStateException("the BiDi socket closed: " + statusCode + " " + reason);
    answers.values().forEach(answer -> answer.completeExceptionally(closed));
  }

  @Override
  public void close() throws IOException {
    try {
      if (session != null && session.isOpen()) {
        try {
          command("session.end", JSON.createObjectNode());
        } catch (Exception e) {
          // Firefox may end the socket before it answers; it is stopped below either way.
        }
      }
      if (client != null) {
        client.stop();
      }
    } catch (Exception e) {
      throw new IOException("cannot stop the BiDi client: " + e, e);
    } finally {
      stopFirefox();
    }
  }

  private void stopFirefox() throws IOException {
    try {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      if (profile != null) {
        try (Stream<Path> paths = Files.walk(profile)) {
          paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
    }
  }
}
