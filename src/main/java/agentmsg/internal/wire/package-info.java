/** JSON forms of messages: the mirror files, {@code --json} output, and (later) wire frames. */
package agentmsg.internal.wire;
