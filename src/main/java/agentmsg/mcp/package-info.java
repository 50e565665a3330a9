/**
 * The mailbox as an MCP server over stdio: tools, inbox resource, new-mail notifications; the
 * mailbox of the local store, or of an agent-msg server over one WebSocket connection.
 */
package agentmsg.mcp;
