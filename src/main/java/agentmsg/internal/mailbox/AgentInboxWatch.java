package agentmsg.internal.mailbox;

import agentmsg.MailboxException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Watches the inbox folders of many agents with one {@link WatchService}: the server's view of the
 * mailbox, so that a message another process commits reaches a connected recipient at once. Like
 * {@link InboxWatch}, events only say "look again". Thread-safe: one thread awaits, any thread adds
 * or removes agents or closes.
 */
public final class AgentInboxWatch implements AutoCloseable {
  private final MailboxLayout layout;
  private final WatchService service;
  private final Map<String, WatchKey> keysByAgent = new ConcurrentHashMap<>();
  private final Map<WatchKey, String> agentsByKey = new ConcurrentHashMap<>();

  public AgentInboxWatch(MailboxLayout layout) {
    this.layout = layout;
    try {
      this.service = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new MailboxException("cannot start watching inbox folders: " + e, e);
    }
  }

  /** Starts watching {@code agent}'s inbox, creating it if needed. Repeating it is harmless. */
  public void watch(String agent) {
    if (keysByAgent.containsKey(agent)) {
      return;
    }
    Path folder = layout.inbox(agent);
    try {
      Files.createDirectories(folder);
      WatchKey key = register(folder);
      agentsByKey.put(key, agent);
      keysByAgent.put(agent, key);
    } catch (IOException e) {
      throw new MailboxException("cannot watch " + folder + ": " + e, e);
    }
  }

  /** Stops watching {@code agent}'s inbox. */
  public void unwatch(String agent) {
    WatchKey key = keysByAgent.remove(agent);
    if (key != null) {
      key.cancel();
      agentsByKey.remove(key);
    }
  }

  /**
   * Waits up to {@code timeout} for any watched inbox to change, then collects every event already
   * queued.
   *
   * @return what changed, by agent; empty on timeout or when closed
   */
  public Map<String, InboxWatch.Changes> await(Duration timeout) throws InterruptedException {
    try {
      WatchKey key = service.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      Map<String, Set<String>> names = new HashMap<>();
      Set<String> overflowed = new LinkedHashSet<>();
      while (key != null) {
        String agent = agentsByKey.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
          if (agent == null) {
            continue;
          }
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            overflowed.add(agent);
          } else if (event.context() instanceof Path name) {
            names.computeIfAbsent(agent, ignored -> new LinkedHashSet<>()).add(name.toString());
          }
        }
        if (!key.reset() && agent != null && keysByAgent.get(agent) == key) {
          // The folder was deleted: watch it anew, and make the caller rescan.
          unwatch(agent);
          watch(agent);
          overflowed.add(agent);
        }
        key = service.poll();
      }
      Map<String, InboxWatch.Changes> changes = new HashMap<>();
      for (Map.Entry<String, Set<String>> entry : names.entrySet()) {
        changes.put(
            entry.getKey(),
            new InboxWatch.Changes(
                Set.copyOf(entry.getValue()), overflowed.contains(entry.getKey())));
      }
      for (String agent : overflowed) {
        changes.putIfAbsent(agent, new InboxWatch.Changes(Set.of(), true));
      }
      return changes;
    } catch (ClosedWatchServiceException closed) {
      return Map.of();
    }
  }

  private WatchKey register(Path folder) throws IOException {
    return folder.register(
        service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      throw new MailboxException("cannot stop watching inbox folders: " + e, e);
    }
  }
}
