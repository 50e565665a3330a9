/** The public API of agent-msg: open an {@link agentmsg.AgentMessenger} and send, read and wait. */
package agentmsg;
