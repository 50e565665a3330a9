/** The embeddable agent-msg WebSocket server: {@link agentmsg.server.AgentMsgServer}. */
package agentmsg.server;
