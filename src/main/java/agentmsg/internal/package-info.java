/** Implementation details of agent-msg; nothing here is API. */
package agentmsg.internal;
