package agentmsg;

import agentmsg.internal.host.CallListener;
import agentmsg.internal.mailbox.Housekeeping;
import agentmsg.internal.mailbox.MailboxLayout;
import agentmsg.internal.security.AgentTokens;
import agentmsg.internal.store.Database;
import agentmsg.internal.store.Store;
import agentmsg.internal.store.StoreHost;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A data home opened for its care rather than for messaging: its agents' tokens, its checks and
 * repairs, and its resident host (the process that keeps the store open for the calls of every
 * agent on the machine). To send and read, open a {@link Messenger} instead. Close it when done.
 */
public final class DataHome implements AutoCloseable {
  /** How long a resident host stays up without a call, unless told otherwise. */
  public static final Duration DEFAULT_HOST_IDLE = StoreHost.DEFAULT_IDLE;

  private final Path home;
  private final Store store;

  private DataHome(Path home, Store store) {
    this.home = home;
    this.store = store;
  }

  /**
   * Opens the store of {@code options}' data home as a messenger would (through its resident host,
   * if {@code options} say so).
   */
  public static DataHome open(Options options) {
    return new DataHome(
        options.home(),
        Store.open(
            options.home(),
            options.databaseUrl() == null
                ? null
                : Database.parse(options.databaseUrl(), options.databasePasswordFile()),
            options.storeTimeout(),
            Store.Mode.shared(options.storeHost()),
            options.warningListener()));
  }

  /** Opens the store of the data home {@code home}, waiting up to {@code timeout} for it. */
  public static DataHome open(Path home, Duration timeout) {
    return new DataHome(home, Store.open(home, timeout));
  }

  public Path home() {
    return home;
  }

  /** The agents' tokens; {@code warnings} hears of token files that are not owner-only. */
  public AgentTokens tokens(Consumer<String> warnings) {
    return new AgentTokens(store, warnings);
  }

  /** The checks and repairs of the store, the mirror files, tmp/ and rejected/. */
  public Housekeeping housekeeping() {
    return new Housekeeping(store, new MailboxLayout(home));
  }

  /**
   * What the store lost, when it holds less than its high-water mark said (a truncated, replaced or
   * re-created database file); empty when it holds everything it once had.
   */
  public Optional<String> rewound() {
    return store.rewound();
  }

  @Override
  public void close() {
    store.close();
  }

  /** Whether a resident host serves the data home {@code home} now. */
  public static boolean hostRunning(Path home) {
    return StoreHost.isRunning(home);
  }

  /** Asks the resident host of {@code home}, if one runs, to close the store and exit. */
  public static void stopHost(Path home) {
    StoreHost.requestStop(home);
  }

  /**
   * Starts a resident host for {@code home} in the background when it has a store and none runs.
   */
  public static void startHost(Path home) {
    StoreHost.startWhereStored(home);
  }

  /**
   * Serves {@code home} as its resident host in this process until idle for {@code idle} or asked
   * to stop, running the command-line calls handed over on the data home's socket.
   *
   * @param calls answers those calls
   * @return 0 when it served and stopped, non-zero when it could not open the store
   */
  public static int serveHost(
      Path home, Duration idle, PrintStream log, CallListener.Handler calls) {
    return StoreHost.serve(home, idle, log, calls);
  }
}
