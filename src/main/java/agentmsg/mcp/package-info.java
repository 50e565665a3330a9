/** The mailbox as an MCP server over stdio: tools, inbox resource, new-mail notifications. */
package agentmsg.mcp;
