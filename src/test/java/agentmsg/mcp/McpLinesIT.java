package agentmsg.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import agentmsg.testing.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-msg mcp} as a real child JVM, driven by raw lines on its stdin: what a broken or
 * hostile client can send, one line at a time.
 */
class McpLinesIT {
  static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
  static final String INITIALIZED =
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  @Test
  void eachBadLineIsAnsweredWithAJsonRpcErrorAndServiceGoesOn() throws Exception {
    try (ChildJvm child = initialized("alice")) {
      expectError(child, "not json", -32700, null);
      expectError(child, "", -32700, null);
      expectError(child, "{}", -32600, null);
      expectError(child, "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}]", -32600, null);
      expectError(
          child, "{\"id\":8,\"method\":\"ping\"}", -32600, JSON.getNodeFactory().numberNode(8));
      expectError(child, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", -32600, null);
      expectError(
          child,
          "{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,\"method\":\"x\"}",
          -32600,
          null);
      expectError(
          child,
          "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"ping\",\"params\":3}",
          -32600,
          JSON.getNodeFactory().textNode("s"));
      child.writeBytes(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
      assertError(answer(child), -32700, null);
      JsonNode after =
          answerTo(child, "{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
      assertThat(after.has("result")).as("still answering after the bad lines: %s", after).isTrue();

      child.closeStdin();
      ChildJvm.Result result = child.awaitExit(60);
      assertThat(result.exitCode()).as(result.toString()).isZero();
    }
  }

  @Test
  void afterABadLineTheServerStillEndsWithItsInput() {
    try (ChildJvm child = ChildJvm.cli(home, Map.of(), "mcp", "--agent", "alice")) {
      child.writeLine("not json");
      child.closeStdin();
      ChildJvm.Result result = child.awaitExit(60);

      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.stdout()).contains("\"code\":-32700");
    }
  }

  @Test
  void aRequestStillPendingWhenStdinClosesIsAnsweredBeforeTheServerExits() throws Exception {
    assertThat(ChildJvm.run(home, "register", "bob").exitCode()).isZero();
    try (ChildJvm child = initialized("alice")) {
      child.writeLine(
          "{\"jsonrpc\":\"2.0\",\"id\":\"send-1\",\"method\":\"tools/call\",\"params\":{\"name\":"
              + "\"send\",\"arguments\":{\"to\":\"bob\",\"message\":\"sent just before the end\"}}}");
      child.closeStdin();
      ChildJvm.Result result = child.awaitExit(60);

      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.stdout())
          .as("the send's answer reached the client")
          .contains("\"id\":\"send-1\",\"result\"");
    }
    assertThat(ChildJvm.run(home, "inbox", "-a", "bob").stdout())
        .contains("sent just before the end");
  }

  @Test
  void aRequestBeforeInitializationIsRefusedAndPingAnswered() throws Exception {
    try (ChildJvm child = ChildJvm.cli(home, Map.of(), "mcp", "--agent", "alice")) {
      JsonNode refused =
          answerTo(child, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
      assertError(refused, -32600, JSON.getNodeFactory().numberNode(3));
      assertThat(
              answerTo(child, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}").has("result"))
          .isTrue();
      child.closeStdin();
      assertThat(child.awaitExit(60).exitCode()).isZero();
    }
  }

  @Test
  void sigtermEndsTheServer() throws Exception {
    try (ChildJvm child = initialized("alice")) {
      ChildJvm.Result result = child.terminate(60);
      assertThat(child.isAlive()).as(result.toString()).isFalse();
    }
  }

  /** An {@code mcp} child for {@code agent} that answered initialize and was told initialized. */
  private ChildJvm initialized(String agent) throws InterruptedException {
    ChildJvm child = ChildJvm.cli(home, Map.of(), "mcp", "--agent", agent);
    JsonNode answer = answerTo(child, INITIALIZE);
    assertThat(answer.path("id").asInt()).as(answer.toString()).isEqualTo(1);
    child.writeLine(INITIALIZED);
    return child;
  }

  private static void expectError(ChildJvm child, String line, int code, JsonNode id)
      throws InterruptedException {
    assertError(answerTo(child, line), code, id);
  }

  private static void assertError(JsonNode answer, int code, JsonNode id) {
    assertThat(answer.path("error").path("code").asInt()).as(answer.toString()).isEqualTo(code);
    assertThat(answer.get("id"))
        .as(answer.toString())
        .isEqualTo(id == null ? JSON.getNodeFactory().nullNode() : id);
    assertThat(answer.path("jsonrpc").asText()).isEqualTo("2.0");
  }

  private static JsonNode answerTo(ChildJvm child, String line) throws InterruptedException {
    child.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    return answer(child);
  }

  /** The next response on the child's stdout (notifications skipped). */
  static JsonNode answer(ChildJvm child) throws InterruptedException {
    while (true) {
      String line = child.nextLine(60);
      assertThat(line).as("an answer; stderr: %s", child.stderrSoFar()).isNotNull();
      try {
        JsonNode node = JSON.readTree(line);
        if (!node.has("method")) {
          return node;
        }
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON on stdout: " + line, e);
      }
    }
  }
}
