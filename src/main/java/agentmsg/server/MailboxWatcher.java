package agentmsg.server;

import agentmsg.internal.RecentIds;
import agentmsg.internal.mailbox.AgentInboxWatch;
import agentmsg.internal.mailbox.InboxImporter;
import agentmsg.internal.mailbox.InboxWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server as a reader of the mailbox ({@code agent-msg-watcher}): when a file lands in the inbox
 * of a connected agent and it is not the server's own mirror write, another process stored a
 * message (or dropped a file to import): import what needs it and have the pusher read the store.
 * Nothing it reads ends it: a failed round is logged and the next goes on, and a thread that dies
 * anyway is replaced, with a log line. Thread-safe.
 */
final class MailboxWatcher implements AutoCloseable {
  private final AgentInboxWatch watch;
  private final InboxImporter importer;
  private final RecentIds ownIds;
  private final Hub hub;
  private final Pusher pusher;
  private final ServerLog log;
  private volatile Thread thread;
  private volatile boolean stopping;

  /**
   * @param ownIds the ids of the messages whose mirror files the server writes itself
   * @param hub who is the receiving connection of an agent whose inbox changed
   */
  MailboxWatcher(
      AgentInboxWatch watch,
      InboxImporter importer,
      RecentIds ownIds,
      Hub hub,
      Pusher pusher,
      ServerLog log) {
    this.watch = watch;
    this.importer = importer;
    this.ownIds = ownIds;
    this.hub = hub;
    this.pusher = pusher;
    this.log = log;
  }

  void start() {
    Thread next = new Thread(this::loop, "agent-msg-watcher");
    next.setDaemon(true);
    next.setUncaughtExceptionHandler(this::died);
    thread = next;
    next.start();
  }

  /** The last resort: without this thread, file-mode messages would silently stop being pushed. */
  private void died(Thread dead, Throwable cause) {
    if (stopping) {
      return;
    }
    log.line("watcher: the " + dead.getName() + " thread died of " + cause + "; restarted");
    start();
  }

  private void loop() {
    while (!stopping) {
      try {
        Map<String, InboxWatch.Changes> changes = watch.await(Duration.ofMillis(500));
        for (Map.Entry<String, InboxWatch.Changes> entry : changes.entrySet()) {
          handle(entry.getKey(), entry.getValue());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // An Error too (an OutOfMemoryError of one huge allocation leaves the heap usable): one
        // bad round must not end the pushes of every file-mode message after it.
        if (!stopping) {
          log.line("watcher: " + e + " (watching goes on)");
        }
      }
    }
  }

  private void handle(String agent, InboxWatch.Changes changes) {
    Connection receiver = hub.receiver(agent);
    if (receiver == null) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    for (String name : changes.names()) {
      if (name.endsWith(".json") && !ownIds.contains(name.substring(0, name.length() - 5))) {
        foreign.add(name);
      }
    }
    if (!changes.overflow() && foreign.isEmpty()) {
      return;
    }
    try {
      if (changes.overflow()) {
        importer.importAll(agent);
      } else {
        importer.importNames(agent, foreign);
      }
    } finally {
      // What others stored is in the store whatever a dropped file did to the import.
      pusher.request(receiver);
    }
  }

  @Override
  public void close() {
    stopping = true;
    watch.close();
    try {
      Thread current = thread;
      if (current != null) {
        current.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
