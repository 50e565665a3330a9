package agentmsg.server.console;

import agentmsg.internal.store.ConsoleStore.HeldThread;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The threads the loop guard holds as the feed last told the pages, and what to tell them when that
 * changes: a thread newly held, held under another count or limit, or released. Each change and the
 * snapshot a new page gets are JSON objects: {@code {"thread", "held": true, "run", "limit"}} or
 * {@code {"thread", "held": false}}. Not thread-safe: the feed uses it under its send lock.
 */
final class HeldThreads {
  private final int defaultLimit;
  private final Map<String, HeldThread> held = new LinkedHashMap<>();

  /**
   * @param defaultLimit the server's limit for threads without their own ({@code loopLimit})
   */
  HeldThreads(int defaultLimit) {
    this.defaultLimit = defaultLimit;
  }

  /** The changes among {@code asked}, of which {@code heldNow} are the ones held now. */
  List<Map<String, Object>> update(Collection<String> asked, Map<String, HeldThread> heldNow) {
    List<Map<String, Object>> changes = new ArrayList<>();
    for (String thread : new LinkedHashSet<>(asked)) {
      HeldThread now = heldNow.get(thread);
      HeldThread before = now == null ? held.remove(thread) : held.put(thread, now);
      if (now == null && before != null) {
        changes.add(released(thread));
      } else if (now != null && !now.equals(before)) {
        changes.add(json(now));
      }
    }
    return changes;
  }

  /**
   * The changes given every held thread; when {@code complete} is false the read stopped at its
   * limit, and a thread missing from it may still be held: then none is released.
   */
  List<Map<String, Object>> replace(Collection<HeldThread> all, boolean complete) {
    Map<String, HeldThread> heldNow = new LinkedHashMap<>();
    for (HeldThread thread : all) {
      heldNow.put(thread.thread(), thread);
    }
    Set<String> asked = new LinkedHashSet<>(heldNow.keySet());
    if (complete) {
      asked.addAll(held.keySet());
    }
    return update(asked, heldNow);
  }

  /** Every thread held, as a page that has just connected is told. */
  List<Map<String, Object>> snapshot() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (HeldThread thread : held.values()) {
      all.add(json(thread));
    }
    return all;
  }

  private Map<String, Object> json(HeldThread thread) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("thread", thread.thread());
    out.put("held", true);
    out.put("run", thread.run());
    out.put("limit", thread.limit(defaultLimit));
    return out;
  }

  private static Map<String, Object> released(String thread) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("thread", thread);
    out.put("held", false);
    return out;
  }
}
