/** The {@code agent-msg} command line: one class per command, exit codes, text and JSON output. */
package agentmsg.cli;
