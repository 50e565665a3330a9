/** The mirror folders: their layout, the atomic JSON file writer, the watcher and the importer. */
package agentmsg.internal.mailbox;
