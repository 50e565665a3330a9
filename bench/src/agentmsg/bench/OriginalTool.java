package agentmsg.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The original Node tool (deboboy/agent-msg), run from a checkout outside this repository with its
 * {@code node_modules}: only run, never copied. Its data lives in {@code $HOME/.agent-msg}, so it
 * gets a scratch HOME. For {@code send -w --wait} it runs its own server on a free loopback port
 * and its {@code connect} as bob, because its server answers {@code delivered} only once it has
 * handed the message to a connected recipient (and refuses it otherwise).
 *
 * <p>Its server takes no address and listens on every interface; a preload of ours (written into
 * the scratch folder, passed with {@code node -r}) makes a listen without an address listen on
 * 127.0.0.1, and the harness checks in /proc/net/tcp* that it does.
 */
final class OriginalTool implements AutoCloseable {
  private static final String LOOPBACK_PRELOAD =
      """
      'use strict';
      // agent-msg bench: a listen() without an address listens on 127.0.0.1 only.
      const net = require('net');
      const listen = net.Server.prototype.listen;
      net.Server.prototype.listen = function (...args) {
        if ((typeof args[0] === 'number' || typeof args[0] === 'string') && args[1] == null) {
          args[1] = '127.0.0.1';
        }
        return listen.apply(this, args);
      };
      """;

  private final Setup setup;
  private final Path script;
  private final Path home;
  private final Map<String, String> env;
  private Child server;
  private Child bob;
  private int port;

  /**
   * Checks the checkout and registers alice and bob in a scratch HOME.
   *
   * @param app a checkout of the original with {@code node_modules} ({@code npm ci})
   */
  OriginalTool(Setup setup, Setup.Jdk jdk, Path app) throws IOException, InterruptedException {
    this.setup = setup;
    this.script = app.resolve("bin/agent-msg");
    this.home = setup.newHome("original-" + jdk.key());
    this.env = new HashMap<>(setup.env(jdk, null));
    env.put("HOME", home.toString());
    Path stderr = setup.stderrFile("original-register");
    for (List<String> register :
        List.of(List.of("register", "alice", "-t", "codex"), List.of("register", "bob"))) {
      CallTimer.Sample sample = CallTimer.run(command(register), env, null, stderr);
      if (sample.exitCode() != 0) {
        throw new IllegalStateException(
            "the original's "
                + register
                + " exited "
                + sample.exitCode()
                + ": "
                + Files.readString(stderr));
      }
    }
  }

  /** Why {@code app} cannot be run as the original, or null when it can. */
  static String problem(Path app) {
    if (!Files.isRegularFile(app.resolve("bin/agent-msg"))) {
      return app + " has no bin/agent-msg: pass a checkout of deboboy/agent-msg";
    }
    if (!Files.isDirectory(app.resolve("node_modules"))) {
      return app + " has no node_modules: run npm ci there (bench/README.md)";
    }
    return null;
  }

  /** {@code node <checkout>/bin/agent-msg <args>}. */
  List<String> command(List<String> args) {
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(args);
    return command;
  }

  Map<String, String> env() {
    return env;
  }

  /** The original's inbox deletes what it shows: leave exactly one message there, as ours has. */
  void leaveOneMessage() throws IOException, InterruptedException {
    Path inbox = home.resolve(".agent-msg/inbox/bob");
    int count = 0;
    if (Files.isDirectory(inbox)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(inbox, "*.json")) {
        for (Path ignored : files) {
          count++;
        }
      }
    }
    if (count == 0) {
      Path stderr = setup.stderrFile("original-prepare");
      CallTimer.Sample sample =
          CallTimer.run(
              command(List.of("send", "bob", "benchmark message", "-s", "alice")),
              env,
              null,
              stderr);
      if (sample.exitCode() != 0) {
        throw new IllegalStateException("the original's send exited " + sample.exitCode());
      }
    }
  }

  /** Starts its server on a free loopback port and its {@code connect} as bob; returns the URL. */
  String startServer() throws IOException, InterruptedException {
    Path preload = setup.scratchFile("original-loopback.cjs");
    Files.writeString(preload, LOOPBACK_PRELOAD);
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> serve =
        List.of(
            "node",
            "-r",
            preload.toString(),
            script.toString(),
            "server",
            "-p",
            Integer.toString(port));
    server = Child.start(serve, env, setup.stderrFile("original-server"));
    awaitLoopbackListen();
    String url = "ws://127.0.0.1:" + port;
    bob =
        Child.start(
            command(List.of("connect", "-u", url, "-a", "bob")),
            env,
            setup.stderrFile("original-connect"));
    while (!bob.nextLine(30_000).text().contains("Connected as bob")) {
      // "Connecting to ...", then "✓ Connected as bob" once its server registered it.
    }
    return url;
  }

  /** Waits until the server listens on 127.0.0.1:port, and fails if it listens anywhere else. */
  private void awaitLoopbackListen() throws IOException, InterruptedException {
    String portHex = String.format(Locale.ROOT, ":%04X", port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean loopback = false;
      for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] fields = line.strip().split("\\s+");
          // fields[1] is local address:port, fields[3] the state; 0A is LISTEN.
          if (fields.length > 3 && fields[1].endsWith(portHex) && fields[3].equals("0A")) {
            String address = fields[1].substring(0, fields[1].indexOf(':'));
            if (!address.equals("0100007F")
                && !address.equals("0000000000000000FFFF00000100007F")) {
              throw new IllegalStateException(
                  "the original's server listens on " + fields[1] + ", not on loopback only");
            }
            loopback = true;
          }
        }
      }
      if (loopback) {
        return;
      }
      if (!server.process().isAlive()) {
        throw new IllegalStateException("the original's server ended" + server.stderrTail());
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the original's server did not listen on port " + port);
  }

  /** The checkout's version (package.json) and commit, when it is a git checkout. */
  static String describe(Path app) throws InterruptedException {
    String version = "";
    try {
      String json = Files.readString(app.resolve("package.json"));
      Matcher matcher = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
      version = matcher.find() ? " " + matcher.group(1) : "";
    } catch (IOException unreadable) {
      // Named without a version, then.
    }
    String commit =
        Setup.capture(List.of("git", "-C", app.toString(), "rev-parse", "--short", "HEAD")).strip();
    return "agent-msg"
        + version
        + " (Node)"
        + (commit.matches("[0-9a-f]{4,40}") ? ", commit `" + commit + "`" : "")
        + ", run from `"
        + app
        + "`";
  }

  @Override
  public void close() {
    if (bob != null) {
      bob.close();
    }
    if (server != null) {
      server.close();
    }
  }
}
