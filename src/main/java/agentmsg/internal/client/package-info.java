/**
 * The WebSocket client of the agent-msg server (Jetty): for the command line and {@code mcp -u}.
 */
package agentmsg.internal.client;
