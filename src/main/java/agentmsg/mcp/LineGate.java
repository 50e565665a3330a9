package agentmsg.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's input as the SDK's stdio transport reads it: line by line, each line checked first.
 * The transport stops reading for good at the first line it cannot turn into a JSON-RPC message (it
 * breaks out of its read loop), and drops every answer once its input ends. So this gate answers a
 * bad line itself with a JSON-RPC error (-32700 parse error, -32600 invalid request; id null where
 * it cannot be known) and passes on only lines the SDK reads without fault; and at the end of the
 * input it holds the end back until every request passed on has been answered.
 *
 * <p>It also keeps from the SDK what would make it hang or log: requests before the session is
 * initialized (the SDK holds them forever; ping is answered here, the rest refused), responses
 * (this server sends the client no requests) and notifications other than {@code
 * notifications/initialized} (the SDK has no use for them, and logs each). Read by one thread, the
 * SDK's reader; not thread-safe otherwise.
 */
final class LineGate extends InputStream {
  /**
   * The longest line read: a message at the limit (1,000,000 bytes) written with six-byte escapes,
   * and room for the rest of the request. A longer line is skipped, unkept, and refused.
   */
  static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int INVALID_PARAMS = -32602;

  /** How long the end of input waits for answers before it wakes waiting calls. */
  private static final Duration FIRST_GRACE = Duration.ofMillis(500);

  /** How long it then waits for the rest (a call stuck past this is given up). */
  private static final Duration LAST_GRACE = Duration.ofSeconds(10);

  private static final byte[] NOTHING = new byte[0];

  private final InputStream in;
  private final OutputStream out;
  private final McpJsonMapper json;
  private final Answers answers;
  private final Runnable wakeWaiters;
  private final Runnable ended;
  private final byte[] chunk = new byte[8192];
  private int chunkAt;
  private int chunkEnd;
  private boolean afterCarriageReturn;
  private boolean inputEnded;
  private byte[] ready = NOTHING;
  private int readyAt;
  private boolean initializing;
  private boolean initialized;

  /**
   * @param out the stream the SDK writes to, and whose lock it holds while it writes a message
   * @param wakeWaiters ends waiting tool calls, once the input has ended and answers are slow
   * @param ended runs once the input has ended and the answers are written
   */
  LineGate(
      InputStream in,
      OutputStream out,
      McpJsonMapper json,
      Answers answers,
      Runnable wakeWaiters,
      Runnable ended) {
    this.in = in;
    this.out = out;
    this.json = json;
    this.answers = answers;
    this.wakeWaiters = wakeWaiters;
    this.ended = ended;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (readyAt >= ready.length) {
      if (inputEnded) {
        return -1;
      }
      Line line = nextLine();
      if (line == null) {
        end();
        return -1;
      }
      byte[] passed = check(line);
      if (passed != null) {
        ready = passed;
        readyAt = 0;
      }
    }
    int count = Math.min(length, ready.length - readyAt);
    System.arraycopy(ready, readyAt, buffer, offset, count);
    readyAt += count;
    return count;
  }

  @Override
  public int available() {
    return ready.length - readyAt;
  }

  /** A line of input without its end, or that it was too long to keep. */
  // ArrayRecordComponent: a Line is passed on, never compared or hashed.
  @SuppressWarnings("ArrayRecordComponent")
  private record Line(byte[] bytes, boolean tooLong) {}

  /** The next line (a last one without its newline included), or null at the end of input. */
  private Line nextLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (chunkAt >= chunkEnd) {
        int count;
        try {
          count = in.read(chunk, 0, chunk.length);
        } catch (IOException e) {
          count = -1; // the client's end is gone: the same as its end
        }
        if (count < 0) {
          return any ? new Line(line.toByteArray(), tooLong) : null;
        }
        chunkAt = 0;
        chunkEnd = count;
      }
      byte next = chunk[chunkAt++];
      if (afterCarriageReturn) {
        afterCarriageReturn = false;
        if (next == '\n') {
          continue; // "\r\n" ends one line, as in the SDK
        }
      }
      if (next == '\n' || next == '\r') {
        afterCarriageReturn = next == '\r';
        return new Line(line.toByteArray(), tooLong);
      }
      any = true;
      if (line.size() >= MAX_LINE_BYTES) {
        tooLong = true;
      } else {
        line.write(next);
      }
    }
  }

  /** The bytes to pass on for {@code line} (with its newline), or null if it was answered here. */
  private byte[] check(Line line) {
    if (line.tooLong()) {
      refuse(INVALID_REQUEST, "Invalid Request: a line over " + MAX_LINE_BYTES + " bytes", null);
      return null;
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line.bytes()))
              .toString();
    } catch (CharacterCodingException e) {
      refuse(PARSE_ERROR, "Parse error: the line is not UTF-8", null);
      return null;
    }
    Object value;
    try {
      value = text.isBlank() ? null : json.readValue(text, Object.class);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      value = null;
    }
    if (value == null) {
      refuse(PARSE_ERROR, "Parse error: the line is not a JSON value", null);
      return null;
    }
    if (value instanceof List) {
      refuse(
          INVALID_REQUEST, "Invalid Request: batches are not supported; one message a line", null);
      return null;
    }
    if (!(value instanceof Map<?, ?> message)) {
      refuse(INVALID_REQUEST, "Invalid Request: not a JSON-RPC message object", null);
      return null;
    }
    Object id = message.get("id");
    boolean usableId = id instanceof String || id instanceof Integer || id instanceof Long;
    Object replyId = usableId ? id : null;
    if (!"2.0".equals(message.get("jsonrpc"))) {
      refuse(INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\"", replyId);
      return null;
    }
    if (!message.containsKey("method")) {
      String problem = responseProblem(message, usableId);
      if (problem != null) {
        refuse(INVALID_REQUEST, "Invalid Request: " + problem, replyId);
      }
      return null; // a well-formed response: this server asked nothing, so it answers nothing
    }
    if (!(message.get("method") instanceof String method)) {
      refuse(INVALID_REQUEST, "Invalid Request: \"method\" must be a string", replyId);
      return null;
    }
    Object params = message.get("params");
    if (params != null && !(params instanceof Map) && !(params instanceof List)) {
      refuse(INVALID_REQUEST, "Invalid Request: \"params\" must be an object", replyId);
      return null;
    }
    if (!message.containsKey("id")) {
      if (method.equals(McpSchema.METHOD_NOTIFICATION_INITIALIZED) && initializing) {
        initialized = true;
        return pass(line, text, false);
      }
      return null; // a notification the SDK has no use for: no answer is due
    }
    if (!usableId) {
      refuse(INVALID_REQUEST, "Invalid Request: \"id\" must be a string or an integer", null);
      return null;
    }
    if (method.equals(McpSchema.METHOD_INITIALIZE)) {
      initializing = true;
    } else if (!initialized) {
      if (method.equals(McpSchema.METHOD_PING)) {
        answer(id, Map.of());
      } else {
        refuse(
            INVALID_REQUEST,
            "Invalid Request: the session is not initialized yet (send initialize, then"
                + " notifications/initialized)",
            id);
      }
      return null;
    }
    String badParams = paramsProblem(method, params);
    if (badParams != null) {
      refuse(INVALID_PARAMS, "Invalid params: " + badParams, id);
      return null;
    }
    return pass(line, text, true);
  }

  /**
   * What is wrong with the params of a call whose handler in the SDK would fail on them (with a
   * stack trace on stderr, which Claude Code shows as an error); null if nothing.
   */
  private static String paramsProblem(String method, Object params) {
    if (method.equals(McpSchema.METHOD_TOOLS_CALL)) {
      if (!(params instanceof Map<?, ?> call) || !(call.get("name") instanceof String)) {
        return "tools/call needs an object with the tool's \"name\"";
      }
      Object arguments = call.get("arguments");
      if (arguments != null && !(arguments instanceof Map)) {
        return "\"arguments\" must be an object";
      }
    } else if (method.equals(McpSchema.METHOD_RESOURCES_READ)) {
      if (!(params instanceof Map<?, ?> read) || !(read.get("uri") instanceof String)) {
        return "resources/read needs an object with the resource's \"uri\"";
      }
    }
    return null;
  }

  /** What is wrong with a message without a method, taken for a response; null if nothing. */
  private static String responseProblem(Map<?, ?> message, boolean usableId) {
    boolean result = message.containsKey("result");
    boolean error = message.containsKey("error");
    if (result == error) {
      return "a request needs \"method\"; a response, one of \"result\" and \"error\"";
    }
    if (!usableId && !(error && message.containsKey("id") && message.get("id") == null)) {
      return "\"id\" must be a string or an integer";
    }
    if (error
        && !(message.get("error") instanceof Map<?, ?> details
            && details.get("code") instanceof Integer
            && details.get("message") instanceof String)) {
      return "\"error\" must be an object with an integer \"code\" and a string \"message\"";
    }
    return null;
  }

  /** The line for the SDK, if it reads it without fault (it would stop reading at a fault). */
  private byte[] pass(Line line, String text, boolean request) {
    try {
      McpSchema.deserializeJsonRpcMessage(json, text);
    } catch (IOException | RuntimeException e) {
      refuse(INVALID_REQUEST, "Invalid Request: not a JSON-RPC message the server can read", null);
      return null;
    }
    if (request) {
      answers.accepted();
    }
    byte[] bytes = line.bytes();
    byte[] passed = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, passed, 0, bytes.length);
    passed[bytes.length] = '\n';
    return passed;
  }

  private void refuse(int code, String text, Object id) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", text);
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("jsonrpc", "2.0");
    reply.put("id", id);
    reply.put("error", error);
    write(reply);
  }

  private void answer(Object id, Object result) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("jsonrpc", "2.0");
    reply.put("id", id);
    reply.put("result", result);
    write(reply);
  }

  private void write(Map<String, Object> reply) {
    try {
      byte[] bytes = json.writeValueAsBytes(reply);
      synchronized (out) { // the SDK writes each message holding this lock
        out.write(bytes);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      // The client no longer reads: nothing to tell it. Its input ends soon, and so does this.
    }
  }

  /** The input ended: let the answers out, then let the SDK see the end. */
  private void end() {
    inputEnded = true;
    try {
      if (!answers.awaitNone(FIRST_GRACE)) {
        wakeWaiters.run();
        answers.awaitNone(LAST_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ended.run();
    }
  }

  /** How many requests passed on are not yet answered. Thread-safe. */
  static final class Answers {
    private int pending;

    synchronized void accepted() {
      pending++;
    }

    synchronized void answered() {
      if (pending > 0) {
        pending--;
      }
      notifyAll();
    }

    /** Waits up to {@code timeout} for every request to be answered; says whether they were. */
    synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (pending > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
