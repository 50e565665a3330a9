package agentmsg.bench.jmh;

import agentmsg.internal.wire.ClientFrame;
import agentmsg.internal.wire.FrameCodec;
import agentmsg.internal.wire.ServerFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** WebSocket frames: the server's {@code message} push written, a client's {@code send} read. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class FrameBench {
  private ServerFrame.Push push;
  private String sendText;

  @Setup
  public void setUp() {
    String body = TempHome.body(200);
    push =
        new ServerFrame.Push(
            "m-0123456789abcdef", 42, "alice", "bob", body, "2026-11-24T03:40:00.123Z");
    sendText =
        FrameCodec.write(new ClientFrame.Send("c-17", "alice", "bob", body, null, null, false));
  }

  /** A {@code message} frame to its JSON text. */
  @Benchmark
  public String encodeMessage() {
    return FrameCodec.write(push);
  }

  /** A {@code send} frame's JSON text to its record. */
  @Benchmark
  public ClientFrame decodeSend() {
    return FrameCodec.parseClient(sendText);
  }
}
