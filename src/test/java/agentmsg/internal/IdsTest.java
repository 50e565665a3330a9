package agentmsg.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
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

  @Test
  void idsFromADigestAreTheSameForTheSameDigestAndDifferOtherwise() throws Exception {
    var sha = MessageDigest.getInstance("SHA-256");
    byte[] one = sha.digest("one".getBytes(StandardCharsets.UTF_8));
    byte[] two = sha.digest("two".getBytes(StandardCharsets.UTF_8));
    assertThat(Ids.fromDigest(one))
        .matches("[0-9A-HJKMNP-TV-Z]{26}")
        .isEqualTo(Ids.fromDigest(one.clone()))
        .isNotEqualTo(Ids.fromDigest(two));
    byte[] allOnes = new byte[17];
    Arrays.fill(allOnes, (byte) 0xFF);
    assertThat(Ids.fromDigest(allOnes)).isEqualTo("Z".repeat(26));
    assertThat(Ids.fromDigest(new byte[17])).isEqualTo("0".repeat(26));
  }
}
