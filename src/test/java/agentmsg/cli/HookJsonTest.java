package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HookJsonTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"SessionStart", "UserPromptSubmit", "PostToolUse", "BeforeAgent", "AfterTool"})
  void eachCliContextEventIsAnsweredWithTheAdditionalContextShape(String event) {
    byte[] input =
        ("{\"session_id\":\"s1\",\"cwd\":\"/p\",\"hook_event_name\":\"" + event + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(HookJson.eventName(input)).isEqualTo(event);
    assertThat(HookJson.additionalContext(event, "agent-msg: 1 unread message."))
        .isEqualTo(
            "{\"hookSpecificOutput\":{\"hookEventName\":\""
                + event
                + "\",\"additionalContext\":\"agent-msg: 1 unread message.\"}}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Stop", "Notification"})
  void eventsThatTakeNoContextAreNotAnswered(String event) {
    byte[] input = ("{\"hook_event_name\":\"" + event + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HookJson.eventName(input))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
