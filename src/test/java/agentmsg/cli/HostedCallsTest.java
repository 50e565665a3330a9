package agentmsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which command lines the store host runs, and which it leaves to their own process. */
class HostedCallsTest {
  @Test
  void shortCommandsAreServedAndLongRunningOnesAreLeftToTheirOwnProcess() {
    assertThat(HostedCalls.serves("send", "bob", "hi", "-s", "alice")).isTrue();
    assertThat(HostedCalls.serves("send", "bob", "hi", "-w")).isTrue();
    assertThat(HostedCalls.serves("inbox", "bob", "--json")).isTrue();
    assertThat(HostedCalls.serves("hook", "-s", "bob")).isTrue();
    assertThat(HostedCalls.serves("sned", "bob")).isTrue();
    assertThat(HostedCalls.serves()).isTrue();
    for (String command :
        new String[] {"poll", "wait", "watch", "connect", "mcp", "server", "host", "demo"}) {
      assertThat(HostedCalls.serves(command, "bob")).as(command).isFalse();
    }
    assertThat(HostedCalls.serves("doctor")).isTrue();
    assertThat(HostedCalls.serves("doctor", "--repair")).isFalse();
    assertThat(HostedCalls.serves("send", "bob", "hi", "-w", "--wait")).isFalse();
    assertThat(HostedCalls.serves("send", "bob", "hi", "-w", "--wait=5")).isFalse();
    assertThat(HostedCalls.serves("reply", "01ABC", "ok", "--wait-ack", "5")).isFalse();
    assertThat(HostedCalls.serves("send", "bob", "--wait-read", "1")).isFalse();
    // After "--" it is the body, not an option.
    assertThat(HostedCalls.serves("send", "bob", "-s", "alice", "--", "--wait")).isTrue();
  }
}
