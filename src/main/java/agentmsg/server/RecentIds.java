package agentmsg.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ids of the latest messages this server stored, up to a bound: a file event naming one of them
 * is the server's own mirror write, not news from another process. Thread-safe.
 */
final class RecentIds {
  private final int capacity;
  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  RecentIds(int capacity) {
    this.capacity = capacity;
  }

  void add(String id) {
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

  boolean contains(String id) {
    return ids.contains(id);
  }
}
