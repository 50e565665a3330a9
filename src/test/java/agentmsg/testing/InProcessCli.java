package agentmsg.testing;

import agentmsg.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI's {@code Main.run} in this JVM against a data home: fast, for behaviour tests. */
public final class InProcessCli {
  private final Path home;

  public InProcessCli(Path home) {
    this.home = home;
  }

  public ChildJvm.Result run(String... args) {
    return runWithInput("", args);
  }

  public ChildJvm.Result runWithInput(String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    env.put("AGENT_MSG_HOME", home.toString());
    env.put("HOSTNAME", "test-host");
    env.put("AGENT_MSG_STORE_HOST", "off");
    int code;
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          Main.run(
              new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
              outStream,
              errStream,
              env,
              args);
    }
    return new ChildJvm.Result(
        code,
        out.toString(StandardCharsets.UTF_8).strip(),
        err.toString(StandardCharsets.UTF_8).strip());
  }
}
