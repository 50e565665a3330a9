package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"alice", "claude-desktop", "a", "A.b_c-9", "_x", "-x", "x.."})
  void acceptsNamesOfSafeCharacters(String name) {
    assertThat(AgentNames.isValid(name)).isTrue();
    assertThat(AgentNames.requireValid(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".hidden",
        "..",
        "../x",
        "a/b",
        "a\\b",
        "with space",
        "ünïcode",
        "a:b",
        "a\nb"
      })
  void rejectsNamesThatAreNotSafeFolderNames(String name) {
    assertThat(AgentNames.isValid(name)).isFalse();
    assertThatThrownBy(() -> AgentNames.requireValid(name))
        .isInstanceOf(InvalidAgentNameException.class)
        .hasMessageContaining("1-64 characters");
  }

  @org.junit.jupiter.api.Test
  void limitsNamesToSixtyFourCharacters() {
    assertThat(AgentNames.isValid("x".repeat(64))).isTrue();
    assertThat(AgentNames.isValid("x".repeat(65))).isFalse();
  }
}
