/**
 * The CLI host's socket: the protocol, the listener the store host runs, and the JDK-only client.
 * Nothing here may use Jdbi, H2, Jackson, Commons CLI or Jetty: the client loads this package
 * alone.
 */
package agentmsg.internal.host;
