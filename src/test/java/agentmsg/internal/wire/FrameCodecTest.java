package agentmsg.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrameCodecTest {

  @Test
  void readsHelloWithReceiveAsTheDefaultRole() {
    ClientFrame frame = FrameCodec.parseClient("{\"type\":\"hello\",\"agent\":\"alice\"}");
    assertThat(frame)
        .isEqualTo(new ClientFrame.Hello("alice", ClientFrame.Role.RECEIVE, false, null, false));
  }

  @Test
  void readsTheOriginalRegisterAndMessageFrames() {
    assertThat(FrameCodec.parseClient("{\"type\":\"register\",\"agent\":\"bob\"}"))
        .isEqualTo(new ClientFrame.Hello("bob", ClientFrame.Role.RECEIVE, false, null, true));
    assertThat(
            FrameCodec.parseClient(
                "{\"type\":\"message\",\"id\":\"m1\",\"from\":\"bob\",\"to\":\"alice\","
                    + "\"message\":\"hi\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}"))
        .isEqualTo(new ClientFrame.Send("m1", "bob", "alice", "hi", null, null, true));
  }

  @Test
  void readsSendAckAndPing() {
    assertThat(
            FrameCodec.parseClient(
                "{\"type\":\"send\",\"clientId\":\"c1\",\"to\":\"alice\",\"message\":\"hi\","
                    + "\"thread\":\"t1\",\"unknownField\":42}"))
        .isEqualTo(new ClientFrame.Send("c1", null, "alice", "hi", "t1", null, false));
    assertThat(FrameCodec.parseClient("{\"type\":\"ack\",\"upTo\":17}"))
        .isEqualTo(new ClientFrame.Ack(null, 17L));
    assertThat(FrameCodec.parseClient("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping(null));
  }

  @Test
  void everyProblemBecomesAFrameExceptionWithAStableCode() {
    assertCode("not json", "bad-frame");
    assertCode("42", "bad-frame");
    assertCode("{}", "missing-field");
    assertCode("{\"type\":\"fly\"}", "unknown-type");
    assertCode("{\"type\":\"send\",\"clientId\":\"c9\",\"to\":\"alice\"}", "missing-field");
    assertCode("{\"type\":\"send\",\"to\":{\"a\":1},\"message\":\"x\"}", "invalid-field");
    assertCode("{\"type\":\"ack\"}", "missing-field");
    assertCode("{\"type\":\"ack\",\"upTo\":\"soon\"}", "invalid-field");
    assertCode("{\"type\":\"hello\",\"agent\":\"a\",\"role\":\"boss\"}", "invalid-field");
  }

  @Test
  void errorsNameTheClientIdOfTheFrame() {
    assertThatThrownBy(() -> FrameCodec.parseClient("{\"type\":\"send\",\"clientId\":\"c9\"}"))
        .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.ref()).isEqualTo("c9"));
  }

  @Test
  void writesServerFramesWithTheTypeFirstAndWithoutNulls() {
    assertThat(FrameCodec.write(new ServerFrame.Stored("M1", null, 7, "alice", null)))
        .isEqualTo("{\"type\":\"stored\",\"id\":\"M1\",\"seq\":7,\"to\":\"alice\"}");
    assertThat(FrameCodec.write(ServerFrame.Error.of("unknown-agent", "no agent", "c1", false)))
        .isEqualTo(
            "{\"type\":\"error\",\"code\":\"unknown-agent\",\"message\":\"no agent\",\"ref\":\"c1\"}");
    assertThat(FrameCodec.write(ServerFrame.Error.of("unknown-agent", "no agent", "c1", true)))
        .contains("\"error\":\"no agent\"", "\"id\":\"c1\"");
  }

  @Test
  void serverFramesRoundTripThroughTheClientReader() {
    ServerFrame.Push push =
        new ServerFrame.Push(
            "M1", 3, "bob", "alice", "line 1\n\"quoted\"", "2026-01-01T00:00:00.000Z");
    assertThat(FrameCodec.parseServer(FrameCodec.write(push))).isEqualTo(push);
    ServerFrame.Delivered delivered =
        new ServerFrame.Delivered("M1", "c1", "alice", 3L, "2026-01-01T00:00:01.000Z");
    assertThat(FrameCodec.parseServer(FrameCodec.write(delivered))).isEqualTo(delivered);
    assertThat(FrameCodec.parseServer("{\"type\":\"from-the-future\"}")).isNull();
  }

  @Test
  void clientFramesRoundTripThroughTheServerReader() {
    ClientFrame.Send send = new ClientFrame.Send("c1", null, "alice", "hi", null, null, false);
    assertThat(FrameCodec.parseClient(FrameCodec.write(send))).isEqualTo(send);
    ClientFrame.Hello hello =
        new ClientFrame.Hello("alice", ClientFrame.Role.SEND_ONLY, true, "i1", false);
    assertThat(FrameCodec.parseClient(FrameCodec.write(hello))).isEqualTo(hello);
  }

  private static void assertCode(String text, String code) {
    assertThatThrownBy(() -> FrameCodec.parseClient(text))
        .as(text)
        .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
