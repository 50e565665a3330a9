/** Glue between the server and Jetty that must be public for Jetty to call it. */
package agentmsg.internal.server;
