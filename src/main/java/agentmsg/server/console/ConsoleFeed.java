package agentmsg.server.console;

import agentmsg.Message;
import agentmsg.internal.store.ConsoleStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The live side of the console ({@code agent-msg-console}): while a page is connected, it reads
 * what is new in the store every {@link #STEP_MILLIS} and pushes the new messages themselves, the
 * receipts that changed among the recent ones, the threads the loop guard holds or released, and
 * the roster when it changed. Every read is an index range (new sequence numbers, the newest {@link
 * #RECEIPT_WINDOW}, the new messages' threads), never a full listing, so the store's size does not
 * set the delay; only the list of held threads is read whole, every {@link #HELD_EVERY_STEPS}
 * steps, for what changes without a message ({@code thread --hold-after}). Whoever stored a message
 * (this server, a file-mode command, another machine's server on the same file), the store has it.
 * Thread-safe.
 */
final class ConsoleFeed implements AutoCloseable {
  static final long STEP_MILLIS = 100;
  static final int RECEIPT_WINDOW = 500;
  private static final int MAX_NEW = 500;
  private static final long ROSTER_EVERY_MILLIS = 2_000;

  /**
   * Every 2 s the held threads are read whole. A new message's thread is looked up with it, so a
   * human's reply releases its thread on the page at once; but a limit set with {@code thread
   * --hold-after} holds or releases a thread without a message, and only this read sees that.
   */
  static final int HELD_EVERY_STEPS = 20;

  /** At most this many held threads are shown. */
  private static final int MAX_HELD = 1_000;

  private final ConsoleStore store;
  private final ConsoleStore rosterStore;
  private final Predicate<String> online;
  private final Consumer<String> log;
  private final Set<Session> pages = ConcurrentHashMap.newKeySet();
  private final Object wake = new Object();
  private final Thread thread;
  private volatile boolean stopping;
  private long lastSeq = -1;
  private final Map<Long, String> receipts = new HashMap<>();
  private final Thread rosterThread;
  private final Object sendLock = new Object();
  private volatile String roster = "";
  private final HeldThreads held; // guarded by sendLock
  private int stepsToHeldRead;

  /**
   * @param store what the feed reads new messages and receipts from
   * @param rosterStore another connection, for the roster: a store connection serves one call at a
   *     time, and the roster's read must not hold up the messages
   * @param loopLimit the loop guard's limit for threads without their own, shown with a held one
   */
  ConsoleFeed(
      ConsoleStore store,
      ConsoleStore rosterStore,
      Predicate<String> online,
      int loopLimit,
      Consumer<String> log) {
    this.store = store;
    this.held = new HeldThreads(loopLimit);
    this.rosterStore = rosterStore;
    this.online = online;
    this.log = log;
    this.thread = new Thread(this::loop, "agent-msg-console");
    thread.setDaemon(true);
    this.rosterThread = new Thread(this::rosterLoop, "agent-msg-console-roster");
    rosterThread.setDaemon(true);
  }

  void start() {
    thread.start();
    rosterThread.start();
  }

  void opened(Session session) {
    synchronized (sendLock) { // the held threads as of now, then every change after them
      pages.add(session);
      session.sendText(event("holds", held.snapshot()), Callback.NOOP);
    }
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  void closed(Session session) {
    pages.remove(session);
  }

  private void loop() {
    while (!stopping) {
      try {
        synchronized (wake) {
          if (pages.isEmpty()) {
            lastSeq = -1; // read afresh when a page comes
            wake.wait(1_000);
            continue;
          }
        }
        step();
        TimeUnit.MILLISECONDS.sleep(STEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!stopping) {
          log.accept("console: " + e.getMessage() + " (the live feed goes on)");
        }
        try {
          TimeUnit.MILLISECONDS.sleep(1_000);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void step() {
    if (lastSeq < 0) {
      stepsToHeldRead = 0;
      lastSeq = store.lastSeq();
      long start = lastSeq - RECEIPT_WINDOW;
      receipts.clear();
      receipts.putAll(store.receipts(start, RECEIPT_WINDOW));
    }
    long from = lastSeq;
    // The new messages themselves, read by their sequence numbers: nothing else is queried again.
    List<Message> fresh = store.after(from, MAX_NEW);
    Set<String> threads = new LinkedHashSet<>();
    for (Message message : fresh) {
      lastSeq = Math.max(lastSeq, message.seq());
      broadcast("message", ConsoleJson.message(message));
      if (message.thread() != null) {
        threads.add(message.thread());
      }
    }
    holds(threads);
    long windowStart = lastSeq - RECEIPT_WINDOW;
    receipts.keySet().removeIf(seq -> seq <= windowStart);
    long last = lastSeq;
    List<Long> changed = new ArrayList<>();
    Map<Long, String> now = store.receipts(windowStart, RECEIPT_WINDOW + MAX_NEW);
    for (Map.Entry<Long, String> entry : now.entrySet()) {
      if (entry.getKey() > last) {
        break; // new since the read above: the next step sends it whole
      }
      String before = receipts.put(entry.getKey(), entry.getValue());
      if (before != null && !before.equals(entry.getValue())) {
        changed.add(entry.getKey());
      }
    }
    for (Message message : store.bySeq(changed)) {
      broadcast("receipt", ConsoleJson.message(message));
    }
  }

  /**
   * Pushes what changed of the loop guard: of the new messages' threads (read after the messages,
   * so a thread's state is at least as new as its messages on the page), and of every thread every
   * {@link #HELD_EVERY_STEPS} steps.
   */
  private void holds(Set<String> threads) {
    if (!threads.isEmpty()) {
      Map<String, ConsoleStore.HeldThread> now = store.held(threads);
      synchronized (sendLock) {
        sendChanges(held.update(threads, now));
      }
    }
    if (--stepsToHeldRead <= 0) {
      stepsToHeldRead = HELD_EVERY_STEPS;
      List<ConsoleStore.HeldThread> all = store.held(MAX_HELD);
      synchronized (sendLock) {
        sendChanges(held.replace(all, all.size() < MAX_HELD));
      }
    }
  }

  private void sendChanges(List<Map<String, Object>> changes) {
    for (Map<String, Object> change : changes) {
      sendToAll(event("hold", change));
    }
  }

  /**
   * The roster ({@code agent-msg-console-roster}): its counts read every message's unread state,
   * which at 100,000 messages takes long enough to hold up the new messages, so it runs on its own
   * thread and pushes only when something changed.
   */
  private void rosterLoop() {
    while (!stopping) {
      try {
        TimeUnit.MILLISECONDS.sleep(ROSTER_EVERY_MILLIS);
        if (pages.isEmpty()) {
          roster = "";
          continue;
        }
        String agents = ConsoleJson.write(ConsoleJson.agents(rosterStore.agentSummaries(), online));
        if (!agents.equals(roster)) {
          roster = agents;
          send("{\"type\":\"agents\",\"data\":" + agents + "}");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!stopping) {
          log.accept("console: " + e.getMessage() + " (the roster goes on)");
        }
      }
    }
  }

  private void broadcast(String type, Map<String, Object> data) {
    send(event(type, data));
  }

  private static String event(String type, Object data) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("type", type);
    event.put("data", data);
    return ConsoleJson.write(event);
  }

  private void send(String text) {
    synchronized (sendLock) { // two threads send; each page gets whole frames in order
      sendToAll(text);
    }
  }

  private void sendToAll(String text) {
    for (Session page : pages) {
      if (page.isOpen()) {
        page.sendText(text, Callback.NOOP);
      }
    }
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    rosterThread.interrupt();
    try {
      thread.join(5_000);
      rosterThread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Session page : pages) {
      page.close();
    }
  }
}
