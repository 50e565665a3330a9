package agentmsg.server;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For each test: a fresh data home with alice, bob and carol registered, and a real server on it
 * (port 0): {@code @RegisterExtension final RunningServer running = new RunningServer(CLIENT);}.
 * After the test, the sockets it opened through this are closed, the server stops and the home is
 * deleted.
 */
final class RunningServer implements BeforeEachCallback, AfterEachCallback {
  private final SharedClient client;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Path home;
  private AgentMsgServer server;

  RunningServer(SharedClient client) {
    this.client = client;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    home = Files.createTempDirectory("agent-msg-server-it");
    for (String agent : List.of("alice", "bob", "carol")) {
      try (AgentMessenger messenger = messenger(agent)) {
        messenger.register(AgentType.OTHER);
      }
    }
    server = start(ServerOptions.builder());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      for (AutoCloseable closeable : toClose) {
        closeable.close();
      }
      toClose.clear();
      server.stop();
    } finally {
      delete(home);
    }
  }

  Path home() {
    return home;
  }

  AgentMsgServer server() {
    return server;
  }

  /** Stops the server (if it is still running) and starts another on the same home. */
  AgentMsgServer restart(ServerOptions.Builder options) {
    server.stop();
    server = start(options);
    return server;
  }

  /** A messenger of {@code agent} on the home; the caller closes it. */
  AgentMessenger messenger(String agent) {
    return AgentMessenger.open(
        Options.builder().home(home).agent(agent).warningListener(warning -> {}).build());
  }

  /** A connection as {@code agent} that said hello with {@code role}, closed after the test. */
  TestSocket hello(String agent, String role) throws Exception {
    return track(TestSocket.hello(client.get(), server, agent, role));
  }

  /** A connection with the token of {@code agent}, before any hello, closed after the test. */
  TestSocket raw(String agent) throws Exception {
    return track(TestSocket.connectAs(client.get(), server.uri(), home, agent));
  }

  /** Closes {@code closeable} after the test. */
  <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private AgentMsgServer start(ServerOptions.Builder options) {
    return AgentMsgServer.start(
        options.home(home).port(0).log(new PrintStream(OutputStream.nullOutputStream())).build());
  }

  private static void delete(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
