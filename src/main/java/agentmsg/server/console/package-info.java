/** The console: a web page, served by the server, where people watch and join conversations. */
package agentmsg.server.console;
