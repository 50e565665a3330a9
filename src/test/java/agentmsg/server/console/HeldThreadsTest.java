package agentmsg.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.internal.store.ConsoleStore.HeldThread;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldThreadsTest {
  private final HeldThreads held = new HeldThreads(30);

  private static Map<String, Object> hold(String thread, int run, int limit) {
    return Map.of("thread", thread, "held", true, "run", run, "limit", limit);
  }

  private static Map<String, Object> release(String thread) {
    return Map.of("thread", thread, "held", false);
  }

  @Test
  void aThreadNewlyHeldIsToldOnceWithItsCountAndLimit() {
    HeldThread own = new HeldThread("t1", 2, 2);
    HeldThread byDefault = new HeldThread("t2", 30, null);

    assertThat(held.update(List.of("t1", "t2", "t3"), Map.of("t1", own, "t2", byDefault)))
        .containsExactly(hold("t1", 2, 2), hold("t2", 30, 30));
    assertThat(held.update(List.of("t1", "t2"), Map.of("t1", own, "t2", byDefault))).isEmpty();
    assertThat(held.snapshot()).containsExactly(hold("t1", 2, 2), hold("t2", 30, 30));
  }

  @Test
  void aThreadNoLongerHeldIsReleasedAndANewLimitIsTold() {
    held.update(List.of("t1", "t2"), Map.of("t1", new HeldThread("t1", 5, 5)));

    assertThat(held.update(List.of("t1", "t2"), Map.of("t1", new HeldThread("t1", 5, 3))))
        .as("held under a lower limit")
        .containsExactly(hold("t1", 5, 3));
    assertThat(held.update(List.of("t1"), Map.of())).containsExactly(release("t1"));
    assertThat(held.update(List.of("t1"), Map.of())).as("told once").isEmpty();
    assertThat(held.snapshot()).isEmpty();
  }

  @Test
  void aWholeReadReleasesWhatItLacksUnlessItWasCutAtItsLimit() {
    held.update(List.of("t1", "t2"), Map.of("t1", new HeldThread("t1", 2, 2)));
    held.update(List.of("t2"), Map.of("t2", new HeldThread("t2", 2, 2)));

    assertThat(held.replace(List.of(new HeldThread("t3", 4, null)), false))
        .as("cut short: t1 and t2 may be held still")
        .containsExactly(hold("t3", 4, 30));
    assertThat(held.replace(List.of(new HeldThread("t3", 4, null)), true))
        .containsExactly(release("t1"), release("t2"));
    assertThat(held.snapshot()).containsExactly(hold("t3", 4, 30));
  }
}
