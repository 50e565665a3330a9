/** JMH benchmarks of the tool's in-process hot paths: store, JSON mirror and wire frames. */
package agentmsg.bench.jmh;
