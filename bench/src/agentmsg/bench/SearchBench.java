package agentmsg.bench;

import agentmsg.HistoryQuery;
import agentmsg.internal.store.HistoryRows;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.Words;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * History and full-text search at scale: fills a temporary store with N messages (default
 * 1,000,000) by batch inserts of the rows the store's insert path writes (the message and its words
 * from the same {@link Words} tokenizer; one by one it would take half an hour), then times indexed
 * history queries through {@link HistoryRows}, the code behind {@code agent-msg history}. Prints
 * one Markdown table of medians.
 *
 * <p>Usage: {@code java -cp <classes>:<jar>:<lib>/* agentmsg.bench.SearchBench [messages] [dir]}
 */
public final class SearchBench {
  private static final int AGENTS = 20;
  private static final int VOCABULARY = 20_000;
  private static final int BATCH = 5_000;
  private static final int RUNS = 21;

  private SearchBench() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path home =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("agent-msg-search-bench");
    Random random = new Random(42);
    long start = System.nanoTime();
    long firstMillis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    try (Store store = Store.open(home, Duration.ofSeconds(60))) {
      long existing =
          store.call(
              handle -> handle.createQuery("SELECT COUNT(*) FROM message").mapTo(Long.class).one());
      // A store filled by an earlier run is reused as it is (its messages are the same).
      for (int done = existing >= total ? total : 0; done < total; done += BATCH) {
        int from = done;
        int count = Math.min(BATCH, total - done);
        store.run(
            handle ->
                handle.useTransaction(
                    tx -> {
                      PreparedBatch messages =
                          tx.prepareBatch(
                              "INSERT INTO message (seq, id, sender, recipient, body, created_at,"
                                  + " thread_id) VALUES (:seq, :id, :sender, :recipient, :body,"
                                  + " :createdAt, :thread)");
                      PreparedBatch words =
                          tx.prepareBatch(
                              "INSERT INTO message_word (word, seq) VALUES (:word, :seq)");
                      for (int i = from; i < from + count; i++) {
                        String body = body(random, i);
                        long seq = i + 1L;
                        messages
                            .bind("seq", seq)
                            .bind("id", "m-" + i)
                            .bind("sender", "agent-" + random.nextInt(AGENTS))
                            .bind("recipient", "agent-" + random.nextInt(AGENTS))
                            .bind("body", body)
                            .bind("createdAt", firstMillis + i * 1_000L)
                            .bind("thread", i % 10 == 0 ? "m-" + i : "t-" + (i / 10))
                            .add();
                        for (String word : Words.of(body)) {
                          words.bind("word", word).bind("seq", seq).add();
                        }
                      }
                      messages.execute();
                      words.execute();
                    }));
      }
      store.sync();
      long filled = System.nanoTime();
      System.out.printf(
          "Filled %,d messages in %.1f s (%s)%n%n", total, (filled - start) / 1e9, home);

      long middle = firstMillis + total / 2 * 1_000L;
      List<String[]> rows = new ArrayList<>();
      // Each run asks something different (agent, peer, words, time): H2 answers a repeated
      // identical query from its last result, which would time nothing.
      rows.add(time(store, "newest 50 of an agent", run -> HistoryQuery.newest(50)));
      rows.add(
          time(
              store,
              "--with a peer",
              run -> HistoryQuery.newest(50).withPeer("agent-" + ((run + 7) % AGENTS))));
      rows.add(
          time(
              store,
              "--thread",
              run -> HistoryQuery.newest(50).withThread("t-" + (total / 20 + run * 997))));
      rows.add(
          time(
              store,
              "--since/--until, one hour in the middle",
              run ->
                  HistoryQuery.newest(50)
                      .withSince(Instant.ofEpochMilli(middle + run * 86_400_000L))
                      .withUntil(Instant.ofEpochMilli(middle + run * 86_400_000L + 3_600_000))));
      rows.add(
          time(
              store,
              "--grep a common word",
              run -> HistoryQuery.newest(50).withText("w" + (1 + run))));
      rows.add(
          time(
              store,
              "--grep a rare word",
              run -> HistoryQuery.newest(50).withText(run % 2 == 0 ? "needle" : "w19999")));
      rows.add(
          time(
              store,
              "--grep two words",
              run -> HistoryQuery.newest(50).withText("w" + (2 + run) + " w" + (30 + run))));
      rows.add(
          time(
              store,
              "--grep a word, --with a peer",
              run ->
                  HistoryQuery.newest(50)
                      .withText("w" + (5 + run))
                      .withPeer("agent-" + ((run + 3) % AGENTS))));
      System.out.println(
          "| query (at most 50 results, "
              + RUNS
              + " runs with different agents/words) | median ms | max ms | results of the last |");
      System.out.println("|---|---|---|---|");
      for (String[] row : rows) {
        System.out.println("| " + String.join(" | ", row) + " |");
      }
    }
  }

  /** Ten words from a skewed vocabulary; one message in 10,000 holds the rare word "needle". */
  private static String body(Random random, int index) {
    StringBuilder body = new StringBuilder();
    for (int w = 0; w < 10; w++) {
      // Squaring a uniform number skews the choice towards the low, common words.
      double skew = random.nextDouble();
      body.append('w').append((int) (skew * skew * VOCABULARY)).append(' ');
    }
    if (index % 10_000 == 0) {
      body.append("needle");
    }
    return body.toString();
  }

  private static String[] time(Store store, String name, IntFunction<HistoryQuery> queries) {
    long[] nanos = new long[RUNS];
    int results = 0;
    for (int run = 0; run < RUNS; run++) {
      HistoryQuery query = queries.apply(run);
      String agent = "agent-" + (run % AGENTS);
      long begin = System.nanoTime();
      results = store.call(handle -> HistoryRows.history(handle, agent, query)).size();
      nanos[run] = System.nanoTime() - begin;
    }
    Arrays.sort(nanos);
    return new String[] {
      name,
      String.format("%.2f", nanos[RUNS / 2] / 1e6),
      String.format("%.2f", nanos[RUNS - 1] / 1e6),
      Integer.toString(results)
    };
  }
}
