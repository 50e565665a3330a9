/**
 * The JSON forms of agent-msg's messages and agents, and how it writes instants: one mapping for
 * {@code --json} output, the MCP tools' results, the mirror files and the wire frames.
 */
package agentmsg.json;
