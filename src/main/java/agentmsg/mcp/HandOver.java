package agentmsg.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs an action once a tool result has been written to the client and flushed, not merely handed
 * to the SDK: that is when a remote mailbox may ack the messages the result holds. The stdio
 * transport serializes each outgoing message with its JSON mapper, writes it and flushes, all on
 * its one outbound thread; the mapper given to it (see {@link #mapper}) notes which result it is
 * serializing, and the stream (see {@link #stream}) runs that result's action after the flush. It
 * also tells when any response has been written (or could not be): the end of the input waits for
 * that. Thread-safe.
 */
final class HandOver {
  private final Map<CallToolResult, Runnable> pending = new ConcurrentHashMap<>();

  // ThreadLocalUsage: per instance on purpose: each MCP server has its own hand-over state.
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Runnable> serializing = new ThreadLocal<>();

  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Boolean> responding = new ThreadLocal<>();

  private final Consumer<String> warnings;
  private final Runnable responded;

  /**
   * @param responded runs once for each response to the client, after it was flushed or failed
   */
  HandOver(Consumer<String> warnings, Runnable responded) {
    this.warnings = warnings;
    this.responded = responded;
  }

  /** Runs {@code action} once {@code result} is written and flushed to the client. */
  void after(CallToolResult result, Runnable action) {
    pending.put(result, action);
  }

  /** Wraps the SDK's mapper: serializing a pending result arms its action. */
  McpJsonMapper mapper(McpJsonMapper delegate) {
    return new McpJsonMapper() {
      @Override
      public <T> T readValue(String content, Class<T> type) throws IOException {
        return delegate.readValue(content, type);
      }

      @Override
      public <T> T readValue(byte[] content, Class<T> type) throws IOException {
        return delegate.readValue(content, type);
      }

      @Override
      public <T> T readValue(String content, TypeRef<T> type) throws IOException {
        return delegate.readValue(content, type);
      }

      @Override
      public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
        return delegate.readValue(content, type);
      }

      @Override
      public <T> T convertValue(Object value, Class<T> type) {
        return delegate.convertValue(value, type);
      }

      @Override
      public <T> T convertValue(Object value, TypeRef<T> type) {
        return delegate.convertValue(value, type);
      }

      @Override
      public String writeValueAsString(Object value) throws IOException {
        String text = delegate.writeValueAsString(value);
        arm(value);
        return text;
      }

      @Override
      public byte[] writeValueAsBytes(Object value) throws IOException {
        byte[] bytes = delegate.writeValueAsBytes(value);
        arm(value);
        return bytes;
      }
    };
  }

  private void arm(Object value) {
    if (value instanceof JSONRPCResponse) {
      responding.set(Boolean.TRUE);
    }
    if (value instanceof JSONRPCResponse response
        && response.result() instanceof CallToolResult result) {
      Runnable action = pending.remove(result);
      if (action != null) {
        serializing.set(action);
      }
    }
  }

  /** A response written, or given up: it is no longer awaited. */
  private void settle() {
    if (responding.get() != null) {
      responding.remove();
      responded.run();
    }
  }

  /** Wraps the client's output: a flush runs the action of the result just written. */
  OutputStream stream(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
          out.write(bytes, offset, length);
        } catch (IOException e) {
          serializing.remove(); // not delivered: its messages stay unacked
          settle();
          throw e;
        }
      }

      @Override
      public void flush() throws IOException {
        try {
          out.flush();
        } catch (IOException e) {
          serializing.remove(); // not delivered: its messages stay unacked
          throw e;
        } finally {
          settle();
        }
        Runnable action = serializing.get();
        if (action != null) {
          serializing.remove();
          try {
            action.run();
          } catch (RuntimeException e) {
            warnings.accept("after a tool result: " + e);
          }
        }
      }
    };
  }
}
