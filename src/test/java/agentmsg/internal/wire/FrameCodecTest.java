package agentmsg.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import agentmsg.Agent;
import agentmsg.AgentType;
import agentmsg.Message;
import agentmsg.Priority;
import java.time.Instant;
import java.util.List;
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
  void aFanOutsStoredListsItsCopiesAndRoundTrips() {
    ServerFrame.Stored stored =
        new ServerFrame.Stored(
            "S1",
            "c-1",
            0,
            "@all",
            "2026-01-01T00:00:00.000Z",
            "S1",
            List.of(
                new ServerFrame.Copy("bob", "S1.bob", 8),
                new ServerFrame.Copy("carol", "S1.carol", 9)));
    String text = FrameCodec.write(stored);
    assertThat(text)
        .isEqualTo(
            "{\"type\":\"stored\",\"id\":\"S1\",\"clientId\":\"c-1\",\"to\":\"@all\","
                + "\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"thread\":\"S1\",\"copies\":["
                + "{\"to\":\"bob\",\"id\":\"S1.bob\",\"seq\":8},"
                + "{\"to\":\"carol\",\"id\":\"S1.carol\",\"seq\":9}]}");
    assertThat(FrameCodec.parseServer(text)).isEqualTo(stored);
    ServerFrame.Stored single = new ServerFrame.Stored("M1", "c-2", 7, "bob", null);
    assertThat(FrameCodec.parseServer(FrameCodec.write(single))).isEqualTo(single);
    assertThat(single.fannedOut()).isFalse();
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

  @Test
  void readsTheReadRequestsWithTheirRef() {
    assertThat(FrameCodec.parseClient("{\"type\":\"list\",\"ref\":\"r1\"}"))
        .isEqualTo(new ClientFrame.ListAgents("r1"));
    assertThat(
            FrameCodec.parseClient(
                "{\"type\":\"history\",\"ref\":\"r2\",\"with\":\"bob\",\"search\":\"deploy\","
                    + "\"since\":\"2026-01-01T00:00:00.000Z\",\"limit\":5}"))
        .isEqualTo(
            new ClientFrame.History(
                "r2", "bob", null, "2026-01-01T00:00:00.000Z", null, "deploy", 5));
    assertThat(FrameCodec.parseClient("{\"type\":\"status\",\"ref\":\"r3\",\"id\":\"M1\"}"))
        .isEqualTo(new ClientFrame.Status("r3", "M1"));
  }

  @Test
  void aBadReadRequestIsAnErrorCarryingItsRef() {
    assertCode("{\"type\":\"status\",\"ref\":\"r3\"}", "missing-field");
    assertCode("{\"type\":\"history\",\"ref\":\"r4\",\"limit\":\"many\"}", "invalid-field");
    assertThatThrownBy(() -> FrameCodec.parseClient("{\"type\":\"status\",\"ref\":\"r3\"}"))
        .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.ref()).isEqualTo("r3"));
  }

  @Test
  void readRequestsRoundTripThroughTheServerReader() {
    List<ClientFrame> frames =
        List.of(
            new ClientFrame.ListAgents("r1"),
            new ClientFrame.History("r2", "bob", "T1", null, "2026-01-02T00:00:00.000Z", "x", null),
            new ClientFrame.History("r3", null, null, null, null, null, 500),
            new ClientFrame.Status("r4", "M1"),
            new ClientFrame.Send(
                "c1", null, "bob", "hi", "T1", "M0", false, "urgent", "Re: build", true),
            new ClientFrame.Send("c2", null, "bob", "hi", null, null, false, null, null, false));
    for (ClientFrame frame : frames) {
      assertThat(FrameCodec.parseClient(FrameCodec.write(frame))).isEqualTo(frame);
    }
  }

  @Test
  void readAnswersRoundTripThroughTheClientReader() {
    Instant at = Instant.parse("2026-01-01T00:00:00.123Z");
    Message read =
        new Message(
            "M1",
            7,
            "bob",
            "alice",
            "hi \"there\"\n",
            at,
            at,
            at.plusSeconds(1),
            null,
            "T1",
            "M0",
            "subject",
            Priority.HIGH,
            true,
            null);
    Message stored = new Message("M2", 8, "alice", "bob", "x", at, null, null, null);
    ServerFrame.History history = new ServerFrame.History("r1", List.of(read, stored), true);
    assertThat(FrameCodec.parseServer(FrameCodec.write(history))).isEqualTo(history);
    ServerFrame.Status status = new ServerFrame.Status("r2", "M1", List.of(read), false);
    assertThat(FrameCodec.parseServer(FrameCodec.write(status))).isEqualTo(status);
    ServerFrame.Agents agents =
        new ServerFrame.Agents(
            "r3", List.of(new Agent("bob", AgentType.CLAUDE_CODE, at, at.plusSeconds(5))), false);
    assertThat(FrameCodec.parseServer(FrameCodec.write(agents))).isEqualTo(agents);
    assertThat(FrameCodec.write(agents))
        .startsWith("{\"type\":\"agents\",\"ref\":\"r3\",\"count\":1");
  }

  @Test
  void aPushCarriesTheConversationFieldsAndAnOldPushStillReads() {
    ServerFrame.Push push =
        new ServerFrame.Push(
            "M2",
            4,
            "bob",
            "alice",
            "re",
            "2026-01-01T00:00:00.000Z",
            "T1",
            "M1",
            null,
            "high",
            true);
    assertThat(FrameCodec.parseServer(FrameCodec.write(push))).isEqualTo(push);
    assertThat(
            FrameCodec.parseServer(
                "{\"type\":\"message\",\"id\":\"M3\",\"seq\":5,\"from\":\"bob\",\"message\":\"x\"}"))
        .isEqualTo(new ServerFrame.Push("M3", 5, "bob", null, "x", null));
  }

  @Test
  void aMalformedAnswerIsAFrameException() {
    assertThatThrownBy(
            () -> FrameCodec.parseServer("{\"type\":\"history\",\"ref\":\"r1\",\"messages\":[{}]}"))
        .isInstanceOfSatisfying(
            FrameException.class, e -> assertThat(e.code()).isEqualTo("invalid-field"));
    assertThatThrownBy(() -> FrameCodec.parseServer("{\"type\":\"agents\",\"ref\":\"r1\"}"))
        .isInstanceOfSatisfying(
            FrameException.class, e -> assertThat(e.code()).isEqualTo("missing-field"));
  }
}
