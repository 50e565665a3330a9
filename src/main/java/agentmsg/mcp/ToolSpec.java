package agentmsg.mcp;

import java.util.Map;

/**
 * One tool as the client sees it (name, one-sentence description, JSON schema of its arguments) and
 * what calling it does. Immutable.
 */
record ToolSpec(String name, String description, Map<String, Object> inputSchema, Handler handler) {

  /** Runs one call; returns the result as compact JSON, or throws an {@code AgentMsgException}. */
  @FunctionalInterface
  interface Handler {
    String call(ToolArguments arguments) throws InterruptedException;
  }
}
