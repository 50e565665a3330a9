/**
 * The H2 or PostgreSQL store through Jdbi: opening it safely from many processes, migrations, and
 * the operations the rest of the code asks for ({@link agentmsg.internal.store.MailStore} and its
 * siblings), whose handles and rows stay in this package.
 */
package agentmsg.internal.store;
