package agentmsg.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The action of a tool result runs once that result is written and flushed, never before. */
class HandOverTest {
  private final List<String> warnings = new ArrayList<>();
  private final HandOver handOver = new HandOver(warnings::add, () -> {});
  private final McpJsonMapper json = handOver.mapper(McpJsonDefaults.getMapper());

  @Test
  void runsTheActionAfterTheResultIsFlushedAndOnlyOnce() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream out = handOver.stream(sink);
    CallToolResult result = result("{\"count\":1}");
    AtomicInteger acks = new AtomicInteger();
    handOver.after(result, acks::incrementAndGet);

    // What the stdio transport does with each outgoing message, on its one thread.
    String line = json.writeValueAsString(new JSONRPCResponse("2.0", 7, result, null));
    out.write(line.getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    assertThat(acks).as("written but not flushed").hasValue(0);
    out.flush();
    assertThat(acks).hasValue(1);
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(line + "\n");

    out.write(json.writeValueAsString(new JSONRPCResponse("2.0", 8, result, null)).getBytes());
    out.flush();
    assertThat(acks).as("a result is handed over once").hasValue(1);
  }

  @Test
  void otherMessagesRunNothing() throws IOException {
    OutputStream out = handOver.stream(new ByteArrayOutputStream());
    AtomicInteger acks = new AtomicInteger();
    handOver.after(result("{\"count\":2}"), acks::incrementAndGet);

    json.writeValueAsString(new JSONRPCResponse("2.0", 1, result("{\"count\":0}"), null));
    out.flush();

    assertThat(acks).hasValue(0);
  }

  @Test
  void aFailedFlushRunsNothing() throws IOException {
    OutputStream broken =
        handOver.stream(
            new OutputStream() {
              @Override
              public void write(int b) {}

              @Override
              public void flush() throws IOException {
                throw new IOException("the client went away");
              }
            });
    CallToolResult result = result("{\"count\":1}");
    AtomicInteger acks = new AtomicInteger();
    handOver.after(result, acks::incrementAndGet);

    json.writeValueAsString(new JSONRPCResponse("2.0", 3, result, null));
    assertThatThrownBy(broken::flush).isInstanceOf(IOException.class);

    assertThat(acks).hasValue(0);
  }

  private static CallToolResult result(String text) {
    return CallToolResult.builder().addTextContent(text).isError(false).build();
  }
}
