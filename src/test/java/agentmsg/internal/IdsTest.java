package agentmsg.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void idsAreTwentySixSafeCharacters() {
    assertThat(Ids.newId()).matches("[0-9A-HJKMNP-TV-Z]{26}");
  }

  @Test
  void idsSortByCreationTime() {
    String earlier = Ids.newId(1_700_000_000_000L);
    String later = Ids.newId(1_700_000_000_001L);
    assertThat(earlier).isLessThan(later);
  }

  @Test
  void idsMadeInTheSameMillisecondDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(Ids.newId(1_700_000_000_000L));
    }
    assertThat(ids).hasSize(10_000);
  }
}
