package agentmsg.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.AgentNames;
import org.junit.jupiter.api.Test;

class FanOutTest {
  @Test
  void aCopyIdNamesItsSharedIdAndRecipientAndFitsTheColumn() {
    String base = "01JABCDEFGHJKMNPQRSTVWXYZ0";
    assertThat(FanOut.copyId(base, "bob")).isEqualTo(base + ".bob");
    String longName = "n.".repeat(32);
    String copy = FanOut.copyId(base, longName);
    assertThat(copy).hasSizeLessThanOrEqualTo(64).startsWith(base + ".");
    assertThat(FanOut.base(base + ".bob", "bob")).isEqualTo(base);
    assertThat(FanOut.base(copy, longName)).isEqualTo(base);

    // Two long names with the same String.hashCode ("Aa" and "BB") still get copy ids of their own.
    String prefix = "team-member-with-a-rather-long-name-";
    assertThat((prefix + "Aa").hashCode()).isEqualTo((prefix + "BB").hashCode());
    assertThat(FanOut.copyId(base, prefix + "Aa"))
        .hasSizeLessThanOrEqualTo(64)
        .isNotEqualTo(FanOut.copyId(base, prefix + "BB"));
    assertThat(AgentNames.isValid(FanOut.copyId(base, prefix + "Aa"))).isTrue();
  }

  @Test
  void aCopysClientIdIsNoClientsIdAndStartsWithAPrefixOfItsClientId() {
    assertThat(FanOut.copyClientId("c-1", "bob")).isEqualTo("c-1@bob");
    assertThat(AgentNames.isValid(FanOut.copyClientId("c-1", "bob")))
        .as("a client cannot send it as its own client id")
        .isFalse();
    assertThat(FanOut.copyClientId("x.y", "z")).isNotEqualTo(FanOut.copyClientId("x", "y.z"));

    String longId = "L".repeat(64);
    String name = "r".repeat(64);
    for (String clientId : new String[] {"c-1", "c".repeat(40), longId}) {
      String key = FanOut.copyClientId(clientId, name);
      assertThat(key).hasSizeLessThanOrEqualTo(64);
      assertThat(FanOut.clientIdPrefixes(clientId)).anySatisfy(p -> assertThat(key).startsWith(p));
      assertThat(FanOut.copyClientId(clientId, name + "2"))
          .as("another recipient, another key")
          .isNotEqualTo(key);
    }
  }
}
