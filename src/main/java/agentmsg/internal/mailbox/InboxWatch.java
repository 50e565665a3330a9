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
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches one inbox folder. Events only say "look again": the caller re-queries the store, which
 * holds the truth. Open it before the first query, so that nothing landing in between is missed.
 * Not thread-safe: one thread awaits, any thread may close.
 */
public final class InboxWatch implements AutoCloseable {
  private final Path folder;
  private final WatchService service;

  private InboxWatch(Path folder, WatchService service) {
    this.folder = folder;
    this.service = service;
  }

  /** Starts watching {@code folder}, creating it if needed. */
  public static InboxWatch open(Path folder) {
    try {
      Files.createDirectories(folder);
      WatchService service = FileSystems.getDefault().newWatchService();
      try {
        folder.register(
            service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      } catch (IOException | RuntimeException e) {
        service.close();
        throw e;
      }
      return new InboxWatch(folder, service);
    } catch (IOException e) {
      throw new MailboxException("cannot watch " + folder + ": " + e, e);
    }
  }

  public Path folder() {
    return folder;
  }

  /**
   * Waits up to {@code timeout} for files to appear or change, then collects every event already
   * queued.
   *
   * @return what changed; {@link Changes#NONE} on timeout or when closed
   */
  public Changes await(Duration timeout) throws InterruptedException {
    try {
      WatchKey key = service.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      if (key == null) {
        return Changes.NONE;
      }
      Set<String> names = new LinkedHashSet<>();
      boolean overflow = false;
      while (key != null) {
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            overflow = true;
          } else if (event.context() instanceof Path name) {
            names.add(name.toString());
          }
        }
        if (!key.reset()) {
          // The folder was deleted: recreate and re-register it, then make the caller rescan.
          Files.createDirectories(folder);
          folder.register(
              service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
          overflow = true;
        }
        key = service.poll();
      }
      return new Changes(Set.copyOf(names), overflow);
    } catch (ClosedWatchServiceException closed) {
      return Changes.NONE;
    } catch (IOException e) {
      throw new MailboxException("cannot re-watch " + folder + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      throw new MailboxException("cannot stop watching " + folder + ": " + e, e);
    }
  }

  /**
   * What a wake-up saw.
   *
   * @param names file names created or modified
   * @param overflow events were lost: the caller must rescan the whole folder
   */
  public record Changes(Set<String> names, boolean overflow) {
    public static final Changes NONE = new Changes(Set.of(), false);

    public boolean isEmpty() {
      return names.isEmpty() && !overflow;
    }
  }
}
