package agentmsg.cli;

import agentmsg.AgentMsgException;
import agentmsg.server.AgentMsgServer;
import agentmsg.server.ServerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code server}: runs the WebSocket server on the data home until stopped (Ctrl-C or SIGTERM).
 * Prints the URL it listens on to standard output; logs to standard error.
 */
final class ServerCommand extends Command {
  @Override
  String name() {
    return "server";
  }

  @Override
  String arguments() {
    return "";
  }

  @Override
  String summary() {
    return "Run the WebSocket server that pushes each message to its connected recipient";
  }

  @Override
  String details() {
    return "Listens on 127.0.0.1:"
        + ServerOptions.DEFAULT_PORT
        + " by default and shares the data home with the other commands:\n"
        + "a message sent by 'agent-msg send' in another process is pushed at once.\n"
        + "Every connection needs a token: each agent's own (issued by 'register'; the local\n"
        + "commands send it by themselves), or with --token-file a team secret that may act as\n"
        + "any agent. --no-auth turns that off, on loopback only. Another --host needs TLS\n"
        + "(--tls-cert/--tls-key or --tls-keystore) or --allow-plaintext behind a TLS proxy.\n"
        + "Browser pages are refused unless --allow-origin names them. Stop it with Ctrl-C or\n"
        + "SIGTERM: queued messages are stored and answered first.";
  }

  @Override
  Options options() {
    return withDatabase(new Options())
        .addOption(
            value("p", "port", "port", "Port to listen on (default: 18790; 0: any free port)"))
        .addOption(value(null, "host", "address", "Address to listen on (default: 127.0.0.1)"))
        .addOption(flag("q", "quiet", "Log connects and disconnects only, not each delivery"))
        .addOption(
            value(
                null,
                "token-file",
                "file",
                "A team secret (first line of the file): whoever sends it may act as any agent"))
        .addOption(flag(null, "no-auth", "Accept clients without a token (loopback only)"))
        .addOption(
            flag(
                null,
                "allow-plaintext",
                "Allow a non-loopback --host without TLS (a TLS proxy or VPN protects it)"))
        .addOption(repeatable("allow-origin", "origin", "Accept browser pages of this origin"))
        .addOption(
            repeatable("allow", "cidrs", "Accept only these addresses, e.g. 10.0.0.0/8,fd00::/8"))
        .addOption(value(null, "tls-cert", "pem", "TLS: certificate chain (PEM), with --tls-key"))
        .addOption(value(null, "tls-key", "pem", "TLS: private key (unencrypted PKCS#8 PEM)"))
        .addOption(value(null, "tls-keystore", "p12", "TLS: a PKCS#12 keystore instead of PEM"))
        .addOption(
            value(
                null,
                "tls-keystore-password-file",
                "file",
                "The keystore's password (first line of the file)"))
        .addOption(
            value(
                null,
                "max-connections-per-address",
                "count",
                "Open connections per remote address (default: 64; loopback exempt unless set)"))
        .addOption(
            value(
                null,
                "max-frames-per-second",
                "count",
                "Per connection, bursts of 10x (default: 1000; loopback exempt unless set)"))
        .addOption(
            value(
                null,
                "max-queued-bytes",
                "bytes",
                "Per connection, written and not yet read by the peer, before it is closed"
                    + " (default: 33554432, at least 16777216)"));
  }

  private static Option repeatable(String longName, String argName, String description) {
    return Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).get();
  }

  @Override
  int run(Invocation invocation) throws InterruptedException {
    invocation.allowPositional(0);
    ServerOptions options;
    try {
      options = configure(invocation);
    } catch (AgentMsgException e) {
      invocation.err().println("error[" + e.code() + "]: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    AgentMsgServer server = AgentMsgServer.start(options);
    Thread hook = new Thread(server::stop, "agent-msg-server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    invocation.out().println("agent-msg server listening on " + server.uri());
    invocation.out().flush();
    server.awaitStop();
    return ExitCodes.OK;
  }

  private static ServerOptions configure(Invocation invocation) {
    var line = invocation.line();
    // The builder rejects a bad value with an IllegalArgumentException; the ones given here are
    // the user's, so each call with one goes through Invocation.userValue.
    ServerOptions.Builder builder =
        Invocation.userValue(
            () -> ServerOptions.builder().environment(invocation.env()).log(invocation.err()));
    builder.logDeliveries(!line.hasOption("quiet"));
    if (line.hasOption("db") || line.hasOption("db-password-file")) {
      String url = invocation.databaseUrl();
      if (url == null) {
        throw new UsageException("--db-password-file needs --db (or AGENT_MSG_DB)");
      }
      Invocation.userValue(() -> builder.database(url, invocation.databasePasswordFile()));
    }
    // The numbers are checked by longValue against the builder's own limits, with the CLI's
    // option names in the message.
    if (line.hasOption("port")) {
      builder.port((int) invocation.longValue("port", 0, 65535));
    }
    if (line.hasOption("host")) {
      builder.host(line.getOptionValue("host"));
    }
    if (line.hasOption("no-auth") && line.hasOption("token-file")) {
      throw new UsageException("use --no-auth or --token-file, not both");
    }
    if (line.hasOption("token-file")) {
      builder.sharedSecretFile(invocation.path(line.getOptionValue("token-file")));
    }
    if (line.hasOption("no-auth")) {
      builder.noAuth();
    }
    builder.allowPlaintext(line.hasOption("allow-plaintext"));
    for (String origin : values(invocation, "allow-origin")) {
      Invocation.userValue(() -> builder.allowOrigin(origin));
    }
    for (String ranges : values(invocation, "allow")) {
      Invocation.userValue(() -> builder.allow(ranges));
    }
    boolean pem = line.hasOption("tls-cert") || line.hasOption("tls-key");
    if (pem && line.hasOption("tls-keystore")) {
      throw new UsageException("use --tls-cert/--tls-key or --tls-keystore, not both");
    }
    if (pem) {
      if (!line.hasOption("tls-cert") || !line.hasOption("tls-key")) {
        throw new UsageException("--tls-cert and --tls-key go together");
      }
      builder.tls(
          invocation.path(line.getOptionValue("tls-cert")),
          invocation.path(line.getOptionValue("tls-key")));
    }
    if (line.hasOption("tls-keystore")) {
      builder.tlsKeyStore(
          invocation.path(line.getOptionValue("tls-keystore")),
          password(invocation, line.getOptionValue("tls-keystore-password-file")));
    } else if (line.hasOption("tls-keystore-password-file")) {
      throw new UsageException("--tls-keystore-password-file needs --tls-keystore");
    }
    if (line.hasOption("max-connections-per-address")) {
      builder.maxConnectionsPerAddress(
          (int) invocation.longValue("max-connections-per-address", 1, 100_000));
    }
    if (line.hasOption("max-frames-per-second")) {
      builder.maxFramesPerSecond((int) invocation.longValue("max-frames-per-second", 1, 1_000_000));
    }
    if (line.hasOption("max-queued-bytes")) {
      builder.maxQueuedBytes(
          invocation.longValue("max-queued-bytes", ServerOptions.MIN_MAX_QUEUED_BYTES, 4L << 30));
    }
    return builder.build();
  }

  private static String[] values(Invocation invocation, String option) {
    String[] values = invocation.line().getOptionValues(option);
    return values == null ? new String[0] : values;
  }

  private static char[] password(Invocation invocation, String file) {
    if (file == null) {
      throw new UsageException(
          "--tls-keystore needs --tls-keystore-password-file (a password on the command line"
              + " would show in the process list)");
    }
    try {
      return Files.readString(invocation.path(file), StandardCharsets.UTF_8).strip().toCharArray();
    } catch (IOException e) {
      throw new AgentMsgException("bad-tls", "cannot read the keystore password file: " + e);
    }
  }
}
