package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.OriginalTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our clients against the original tool's own server ({@code node bin/agent-msg server}), run from
 * a scratch copy of {@code /tmp/orig/app} with its own HOME. Skipped where node or that copy is
 * absent; {@link OriginalServerStubTest} always runs the same checks against a stub of its frames.
 */
class OriginalServerIT extends OriginalServerContract {
  private static final Path ORIGINAL = OriginalTool.ORIGINAL;

  @TempDir Path scratch;
  private Process server;
  private final BlockingQueue<String> serverLines = new LinkedBlockingQueue<>();
  private URI url;

  @BeforeEach
  void startTheOriginalServer() throws Exception {
    OriginalTool.assumeAvailable();
    Path app = scratch.resolve("app");
    OriginalTool.copyTree(ORIGINAL.resolve("bin"), app.resolve("bin"));
    OriginalTool.copyTree(ORIGINAL.resolve("src"), app.resolve("src"));
    Files.copy(ORIGINAL.resolve("package.json"), app.resolve("package.json"));
    Files.createSymbolicLink(app.resolve("node_modules"), ORIGINAL.resolve("node_modules"));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                "node", app.resolve("bin/agent-msg").toString(), "server", "-p", "" + port)
            .redirectErrorStream(true);
    builder.environment().put("HOME", Files.createDirectories(scratch.resolve("home")).toString());
    server = builder.start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  serverLines.add(line);
                }
              } catch (IOException ended) {
                // the server is gone
              }
            },
            "original-server-output");
    reader.setDaemon(true);
    reader.start();
    String first = serverLines.poll(60, TimeUnit.SECONDS);
    assertThat(first).isEqualTo("WebSocket server running on port " + port);
    url = URI.create("ws://127.0.0.1:" + port);
  }

  @AfterEach
  void stopTheOriginalServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  URI url() {
    return url;
  }

  @Override
  void awaitRegistered(String agent) throws InterruptedException {
    while (true) {
      String line = serverLines.poll(30, TimeUnit.SECONDS);
      assertThat(line).as("the original server saying " + agent + " connected").isNotNull();
      if (line.endsWith("Agent connected: " + agent)) {
        return;
      }
    }
  }
}
