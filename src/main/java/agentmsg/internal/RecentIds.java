package agentmsg.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last ids added, up to a bound, the oldest dropped first: the server's own latest messages (a
 * file event naming one is its own mirror write, not news from another process), or the messages an
 * MCP client was handed. Thread-safe.
 */
public final class RecentIds {
  private final int capacity;
  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  public RecentIds(int capacity) {
    this.capacity = capacity;
  }

  public void add(String id) {
    if (ids.add(id)) {
      order.add(id);
      if (size.incrementAndGet() > capacity) {
        String oldest = order.poll();
        if (oldest != null) {
          ids.remove(oldest);
          size.decrementAndGet();
        }
      }
    }
  }

  public boolean contains(String id) {
    return ids.contains(id);
  }
}
