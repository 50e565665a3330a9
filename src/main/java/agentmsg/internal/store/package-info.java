/** The H2 store through Jdbi: opening it safely from many processes, migrations, and queries. */
package agentmsg.internal.store;
