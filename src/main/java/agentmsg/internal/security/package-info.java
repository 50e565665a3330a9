/** Secrets and certificates: agent tokens and their files, PEM keys and certificates. */
package agentmsg.internal.security;
