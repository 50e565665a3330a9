package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipientHealthTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  private static RecipientHealth asleep(String agent, Duration ago) {
    return new RecipientHealth(agent, false, null, null, NOW.minus(ago));
  }

  @Test
  void aRecipientNothingWillWakeGetsOneLineSayingWhenItWasLastSeen() {
    assertThat(asleep("bob", Duration.ofDays(2)).warning(NOW))
        .isEqualTo(
            "bob: last seen 2 days ago, nothing will wake it; it will see this on its next inbox");
    assertThat(asleep("bob", Duration.ofMinutes(1)).warning(NOW))
        .contains("last seen 1 minute ago");
    assertThat(asleep("bob", Duration.ofHours(5)).warning(NOW)).contains("last seen 5 hours ago");
    assertThat(new RecipientHealth("bob", false, null, null, null).warning(NOW))
        .startsWith("bob: never seen, nothing will wake it");
  }

  @Test
  void aConnectedOrWakeableRecipientNeedsNoLine() {
    RecipientHealth connected = new RecipientHealth("bob", true, null, null, NOW);
    RecipientHealth hooked =
        new RecipientHealth("carol", false, RecipientHealth.HOOK, NOW.minusSeconds(30), NOW);
    assertThat(connected.awake()).isTrue();
    assertThat(hooked.awake()).isTrue();
    assertThat(connected.warning(NOW)).isNull();
    assertThat(RecipientHealth.summary(List.of(connected, hooked), NOW)).isNull();
  }

  @Test
  void aFanOutIsSummedUpInOneLineNamingTheFirstFewAsleep() {
    List<RecipientHealth> recipients = new ArrayList<>();
    recipients.add(new RecipientHealth("awake", true, null, null, NOW));
    for (int i = 1; i <= 7; i++) {
      recipients.add(asleep("agent" + i, Duration.ofDays(i)));
    }

    assertThat(RecipientHealth.summary(recipients, NOW))
        .isEqualTo(
            "1 awake, 7 with nothing to wake them (agent1: last seen 1 day ago; agent2: last seen 2"
                + " days ago; agent3: last seen 3 days ago; agent4: last seen 4 days ago; agent5:"
                + " last seen 5 days ago; and 2 more); they will see this on their next inbox");
    assertThat(RecipientHealth.summary(List.of(asleep("bob", Duration.ZERO)), NOW))
        .isEqualTo(asleep("bob", Duration.ZERO).warning(NOW));
  }
}
