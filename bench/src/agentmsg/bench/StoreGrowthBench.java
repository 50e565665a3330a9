package agentmsg.bench;

import agentmsg.AgentMessenger;
import agentmsg.AgentType;
import agentmsg.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * How the database file grows under the product's send path: N messages through {@link
 * AgentMessenger#send} (each committed and synced with {@code CHECKPOINT SYNC}) from one long-lived
 * process, printing the file's size every 5,000 sends, after closing, and after a reopen and close.
 *
 * <p>Usage: {@code StoreGrowthBench [sends] [home] [--reopen]} (default 20,000 and a temporary
 * home, which is left in place for inspection: delete it afterwards). {@code --reopen} opens and
 * closes the messenger around every send, as a CLI call does.
 */
public final class StoreGrowthBench {
  private StoreGrowthBench() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Path home =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("agent-msg-growth-bench");
    boolean reopen = args.length > 2 && args[2].equals("--reopen");
    Options options = Options.builder().home(home).agent("alice").build();
    Path file = home.resolve("agent-msg.mv.db");
    Random random = new Random(1);
    long start = System.nanoTime();
    AgentMessenger alice = AgentMessenger.open(options);
    try {
      alice.register("alice", AgentType.OTHER);
      alice.register("bob", AgentType.OTHER);
      for (int i = 1; i <= total; i++) {
        StringBuilder body = new StringBuilder("message " + i + ":");
        for (int w = 0; w < 15; w++) {
          body.append(" word").append(random.nextInt(5000));
        }
        if (reopen) {
          alice.close();
          alice = AgentMessenger.open(options);
        }
        alice.send("bob", body.toString());
        if (i % 5_000 == 0 || i == 1_000 || i == 2_000 || i == total) {
          System.out.printf(
              Locale.ROOT,
              "%,d sends: %.1f MB (%.0f s)%n",
              i,
              Files.size(file) / 1e6,
              (System.nanoTime() - start) / 1e9);
        }
      }
    } finally {
      alice.close();
    }
    System.out.printf(Locale.ROOT, "after close: %.1f MB%n", Files.size(file) / 1e6);
    try (AgentMessenger bob =
        AgentMessenger.open(Options.builder().home(home).agent("bob").build())) {
      bob.history(5);
    }
    System.out.printf(
        Locale.ROOT, "after reopen and close: %.1f MB (%s)%n", Files.size(file) / 1e6, home);
  }
}
