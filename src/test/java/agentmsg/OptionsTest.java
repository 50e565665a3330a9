package agentmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void homeAndAgentComeFromTheEnvironment() {
    Options options =
        Options.builder()
            .environment(Map.of("AGENT_MSG_HOME", "/tmp/mail", "AGENT_MSG_AGENT", "alice"))
            .build();
    assertThat(options.home()).isEqualTo(Path.of("/tmp/mail"));
    assertThat(options.agent()).isEqualTo("alice");
  }

  @Test
  void homeDefaultsToDotAgentMsgUnderHomeAndAgentToTheHostName() {
    Options options =
        Options.builder().environment(Map.of("HOME", "/home/u", "HOSTNAME", "Build-Box")).build();
    assertThat(options.home()).isEqualTo(Path.of("/home/u/.agent-msg"));
    assertThat(options.agent()).isEqualTo("build-box");
  }

  @Test
  void explicitValuesWinOverTheEnvironment() {
    Options options =
        Options.builder()
            .environment(Map.of("AGENT_MSG_HOME", "/tmp/a", "AGENT_MSG_AGENT", "alice"))
            .home(Path.of("/tmp/b"))
            .agent("bob")
            .build();
    assertThat(options.home()).isEqualTo(Path.of("/tmp/b"));
    assertThat(options.agent()).isEqualTo("bob");
  }

  @Test
  void theStoreHostIsOffUnlessAskedForAndTheEnvironmentCanSayEither() {
    assertThat(Options.builder().build().storeHost()).isFalse();
    assertThat(
            Options.builder().environment(Map.of("AGENT_MSG_STORE_HOST", "on")).build().storeHost())
        .isTrue();
    assertThat(
            Options.builder()
                .storeHost(true)
                .environment(Map.of("AGENT_MSG_STORE_HOST", "OFF"))
                .build()
                .storeHost())
        .isFalse();
    assertThat(Options.builder().storeHost(true).environment(Map.of()).build().storeHost())
        .isTrue();
    assertThatThrownBy(() -> Options.builder().environment(Map.of("AGENT_MSG_STORE_HOST", "maybe")))
        .hasMessageContaining("AGENT_MSG_STORE_HOST must be on or off");
  }

  @Test
  void rejectsBadValuesAtOnceNamingTheOption() {
    assertThatThrownBy(() -> Options.builder().pollInterval(Duration.ofMillis(1)))
        .hasMessageContaining("pollInterval");
    assertThatThrownBy(() -> Options.builder().maxMessageBytes(0))
        .hasMessageContaining("maxMessageBytes");
    assertThatThrownBy(() -> Options.builder().maxMessageBytes(2_000_000))
        .hasMessageContaining("1000000");
    assertThatThrownBy(() -> Options.builder().storeTimeout(Duration.ofHours(1)))
        .hasMessageContaining("storeTimeout");
    assertThatThrownBy(() -> Options.builder().agent("../etc"))
        .isInstanceOf(InvalidAgentNameException.class);
  }

  @Test
  void toBuilderCopiesEveryValue() {
    Options options =
        Options.builder()
            .home(Path.of("/tmp/x"))
            .agent("carol")
            .pollInterval(Duration.ofMillis(50))
            .maxMessageBytes(10)
            .storeTimeout(Duration.ofSeconds(3))
            .build();
    Options copy = options.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(options.toString());
  }
}
