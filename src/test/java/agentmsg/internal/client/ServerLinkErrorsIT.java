package agentmsg.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import agentmsg.AgentMsgException;
import agentmsg.testing.BrokenServer;
import agentmsg.testing.BrokenServer.Behaviour;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The link to a server ({@code connect}, {@code send -w}, {@code mcp -u}) fails in one line of the
 * product's words, never Jetty's.
 */
class ServerLinkErrorsIT {
  private static final ServerLink.Handler IGNORE = new ServerLink.Handler() {};

  private static AgentMsgException open(URI url) {
    return catchThrowableOfType(
        AgentMsgException.class,
        () ->
            ServerLink.open(
                    new ServerLink.Settings(
                        List.of(url), Map.of(), "check the token", null, "bob", true, false),
                    w -> {},
                    IGNORE)
                .close());
  }

  @Test
  void aRefusedResetOrClosedServerIsOneCleanLine() throws Exception {
    URI refused = URI.create("ws://127.0.0.1:" + BrokenServer.freePort());
    AgentMsgException failure = open(refused);
    assertThat(failure.code()).isEqualTo("server-unavailable");
    assertThat(failure.getMessage()).contains("connection refused");
    for (Behaviour behaviour :
        List.of(Behaviour.RESET_BEFORE_UPGRADE, Behaviour.CLOSE_BEFORE_UPGRADE)) {
      try (BrokenServer broken = BrokenServer.start(behaviour)) {
        AgentMsgException closed = open(broken.uri());
        assertThat(closed.code()).as(behaviour.name()).isEqualTo("server-unavailable");
        assertThat(closed.getMessage())
            .doesNotContain("\n")
            .doesNotMatch("(?s).*(oej|@[0-9a-f]{4,}|Exception).*");
      }
    }
  }
}
