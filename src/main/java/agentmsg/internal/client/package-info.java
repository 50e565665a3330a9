/** The command line's WebSocket client of the agent-msg server (Jetty). */
package agentmsg.internal.client;
