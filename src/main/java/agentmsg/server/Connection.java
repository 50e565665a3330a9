package agentmsg.server;

import agentmsg.internal.wire.ServerFrame;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's connection as the rest of the server sees it: the hub routes pushes and {@code
 * delivered} notices to it, the writer, the pusher and the reader answer on it. The WebSocket
 * listener that reads the client's frames implements it. Thread-safe: any thread may send.
 */
interface Connection {
  /** Who the connection proved to be at the upgrade. */
  Identity identity();

  /** The peer's address, or null if unknown. */
  InetAddress address();

  /** The agent it said hello as, or null before its hello. */
  String agent();

  /** Whether it speaks the original tool's protocol. */
  boolean legacy();

  /** The client instance its hello named, or null. */
  String instance();

  /** The peer's address and port, as the log shows it. */
  String remote();

  /** Who it is, for log lines. */
  String describe();

  /** Open, and not being closed for abuse. */
  boolean isOpen();

  /** The push state of a receiving connection, or null. */
  Delivery delivery();

  /** Whether the hello reply was sent; a receiving connection is pushed to only from then on. */
  boolean welcomed();

  /** Whether the pusher has this connection in its queue: the pusher's flag, kept here. */
  AtomicBoolean scanQueued();

  /** Sends the hello reply; for a receiving connection, called once its agent is registered. */
  void welcome();

  /** Sends a frame, never blocking; a connection that cannot take it is closed. */
  void send(ServerFrame frame);

  void sendError(String code, String message, String ref);

  void sendPing();

  /** Closes the connection with a status code and a short reason (at most 123 bytes). */
  void close(int statusCode, String reason);
}
