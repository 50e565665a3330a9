package agentmsg;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every error code agent-msg reports, in one place: the command line prints it as {@code
 * error[code]} and exits with its {@linkplain #exitStatus() status}; the server sends the same code
 * in its {@code error} frames. The README's table of codes is checked against this list.
 */
public enum ErrorCode {
  // The command line and the library.
  USAGE("usage", Exit.USAGE, "bad option, missing or unexpected argument, bad value"),
  INVALID_NAME(
      "invalid-name", Exit.USAGE, "an agent or group name outside 1-64 of A-Z a-z 0-9 . _ -"),
  EMPTY_MESSAGE("empty-message", Exit.USAGE, "the message is empty"),
  MESSAGE_TOO_LARGE("message-too-large", Exit.USAGE, "the message is over the size limit"),
  INVALID_ID("invalid-id", Exit.USAGE, "a message id outside 1-64 of A-Z a-z 0-9 . _ -"),
  INVALID_SUBJECT("invalid-subject", Exit.USAGE, "a subject that is too long or spans lines"),
  UNKNOWN_AGENT("unknown-agent", Exit.FAILED, "no agent of that name (see: agent-msg list)"),
  STORE_UNAVAILABLE("store-unavailable", Exit.FAILED, "the data home's database cannot be opened"),
  STORE_BUSY("store-busy", Exit.FAILED, "another process holds the database a repair needs alone"),
  STORE_CORRUPT("store-corrupt", Exit.FAILED, "the database is damaged (see: agent-msg doctor)"),
  MAILBOX_IO("mailbox-io", Exit.FAILED, "a mirror file or folder cannot be read or written"),
  OUTPUT_CLOSED("output-closed", Exit.FAILED, "standard output was closed; nothing marked read"),
  INTERRUPTED("interrupted", Exit.FAILED, "stopped by a signal before it finished"),
  TIMEOUT("timeout", Exit.TIMEOUT, "a bounded wait ended before the outcome was known"),
  INTERNAL("internal", Exit.FAILED, "a bug: please report it with the line printed"),
  // The resident host and its client.
  NO_HOST("no-host", Exit.FAILED, "no host serves the data home (without --fallback)"),
  HOST_LOST("host-lost", Exit.FAILED, "the host stopped during the call; it may have taken effect"),
  HOST_PROTOCOL("host-protocol", Exit.FAILED, "the host answered in a way this client cannot read"),
  // Conversations.
  UNKNOWN_MESSAGE("unknown-message", Exit.FAILED, "no message with that id"),
  NOT_RECIPIENT("not-recipient", Exit.FAILED, "an ack of a message sent to someone else"),
  UNKNOWN_GROUP("unknown-group", Exit.FAILED, "no group of that name"),
  GROUP_EXISTS("group-exists", Exit.FAILED, "a group of that name exists"),
  NO_RECIPIENTS("no-recipients", Exit.FAILED, "an @all or group send with nobody but the sender"),
  THREAD_HELD(
      "thread-held",
      Exit.FAILED,
      "the loop guard holds the thread: too many agent messages in a row; a human's releases it"),
  SETUP_CONFLICT(
      "setup-conflict",
      Exit.FAILED,
      "a CLI config file setup would merge into cannot be parsed; nothing is written"),
  CONSOLE_FAILED(
      "console-failed", Exit.FAILED, "a console sign-in code cannot be written into the data home"),
  // The server and its clients.
  SERVER_UNAVAILABLE("server-unavailable", Exit.FAILED, "the server cannot be reached"),
  SERVER_REFUSED("server-refused", Exit.FAILED, "the server refused the connection"),
  SERVER_FAILED("server-failed", Exit.FAILED, "the server could not start or stopped"),
  OLD_SERVER("old-server", Exit.FAILED, "the server speaks only the original protocol"),
  LOCAL_ONLY(
      "local-only",
      Exit.FAILED,
      "an operation the server's protocol does not carry: run it where the data home is"),
  CONNECTION_LOST("connection-lost", Exit.FAILED, "the connection closed and kept closing"),
  CONNECTION_REFUSED("connection-refused", Exit.FAILED, "nothing listens at the server's address"),
  CLIENT_FAILED("client-failed", Exit.FAILED, "the WebSocket client could not start"),
  PORT_IN_USE("port-in-use", Exit.FAILED, "another process listens on the port"),
  BAD_HOST("bad-host", Exit.USAGE, "the --host address cannot be resolved"),
  INSECURE_HOST("insecure-host", Exit.USAGE, "a non-loopback address without TLS and tokens"),
  UNAUTHORIZED(
      "unauthorized",
      Exit.FAILED,
      "no token, or a token the server does not know; on the console: no session, sign in"),
  FORBIDDEN(
      "forbidden",
      Exit.FAILED,
      "the token is for another agent, the address is refused, or a console code was asked for"
          + " without the team secret"),
  TOO_MANY_CONNECTIONS("too-many-connections", Exit.FAILED, "over the connection limit"),
  TLS_FAILED("tls-failed", Exit.FAILED, "the TLS handshake failed"),
  BAD_TLS("bad-tls", Exit.USAGE, "a certificate, key or key store cannot be read"),
  BAD_TOKEN("bad-token", Exit.FAILED, "a token that is not in the expected form"),
  BAD_TOKEN_FILE(
      "bad-token-file", Exit.FAILED, "a token file that cannot be read or is not owner-only"),
  TOKEN_MISSING("token-missing", Exit.FAILED, "the server needs a token and none was given"),
  TOKEN_CONFLICT("token-conflict", Exit.FAILED, "the agent already has a token (use --rotate)"),
  INVALID_TOKEN("invalid-token", Exit.USAGE, "a token argument that is not a token"),
  TOKEN_IO("token-io", Exit.FAILED, "the token file cannot be written"),
  // Sent in the server's error frames only.
  BAD_FRAME("bad-frame", Exit.FAILED, "a frame that is not JSON or not a known type"),
  MISSING_FIELD("missing-field", Exit.FAILED, "a frame without a field its type needs"),
  INVALID_FIELD("invalid-field", Exit.FAILED, "a frame field of the wrong type or value"),
  UNKNOWN_TYPE("unknown-type", Exit.FAILED, "a frame of an unknown type"),
  INVALID_AGENT_NAME("invalid-agent-name", Exit.FAILED, "a hello with an invalid agent name"),
  NOT_REGISTERED("not-registered", Exit.FAILED, "a request before the hello"),
  ALREADY_REGISTERED("already-registered", Exit.FAILED, "a second hello on one connection"),
  ALREADY_CONNECTED("already-connected", Exit.FAILED, "the agent is connected elsewhere"),
  TAKEN_OVER("taken-over", Exit.FAILED, "another connection took the agent over"),
  NOT_RECEIVING("not-receiving", Exit.FAILED, "an ack on a send-only connection"),
  FROM_MISMATCH("from-mismatch", Exit.FAILED, "a send whose from is not the connection's agent"),
  AUTH_AGENT_MISMATCH(
      "auth-agent-mismatch", Exit.FAILED, "a hello for another agent than the token's"),
  NOT_CONNECTED(
      "not-connected",
      Exit.FAILED,
      "the recipient is not connected to an original server, which cannot store"),
  RATE_LIMITED(
      "rate-limited", Exit.FAILED, "over the frames-per-second limit (the console's requests too)"),
  SLOW_CONSUMER("slow-consumer", Exit.FAILED, "closed: too much written to it was not read"),
  TOKEN_REVOKED("token-revoked", Exit.FAILED, "closed: its token was revoked"),
  BUSY("busy", Exit.FAILED, "too many reads queued; ask again in a moment"),
  // Answered by the console's HTTP API (agent-msg console prints those it gets).
  FORBIDDEN_ORIGIN(
      "forbidden-origin", Exit.FAILED, "a console request from a page of another origin (403)"),
  BAD_CODE(
      "bad-code",
      Exit.FAILED,
      "a console sign-in link that is used or expired: run agent-msg console again (401)"),
  INVALID_REQUEST(
      "invalid-request",
      Exit.FAILED,
      "a console call with a missing or bad parameter or a body that is not a JSON object (400)"),
  METHOD("method", Exit.FAILED, "a console call with the wrong HTTP method: send is a POST (405)"),
  NOT_FOUND("not-found", Exit.FAILED, "no console page or call at that path (404)"),
  MISSING(
      "missing", Exit.FAILED, "the jar lacks a file of the console's page: a broken build (500)");

  /** The exit statuses of the command line. */
  public static final class Exit {
    /** The operation failed. */
    public static final int FAILED = 1;

    /** The command line was wrong. */
    public static final int USAGE = 2;

    /** A bounded wait timed out. */
    public static final int TIMEOUT = 3;

    private Exit() {}
  }

  private static final Map<String, ErrorCode> BY_ID = new HashMap<>();

  static {
    for (ErrorCode code : values()) {
      BY_ID.put(code.id, code);
    }
  }

  private final String id;
  private final int exitStatus;
  private final String meaning;

  ErrorCode(String id, int exitStatus, String meaning) {
    this.id = id;
    this.exitStatus = exitStatus;
    this.meaning = meaning;
  }

  /** The code as printed and sent: lower case, hyphenated, stable. */
  public String id() {
    return id;
  }

  /** The command line's exit status for a failure with this code. */
  public int exitStatus() {
    return exitStatus;
  }

  /** What it means, in one line. */
  public String meaning() {
    return meaning;
  }

  /** The code named {@code id}, if it is one. */
  public static Optional<ErrorCode> of(String id) {
    return Optional.ofNullable(BY_ID.get(id));
  }

  /**
   * The exit status for a failure reported as {@code id}; a code missing from the catalogue (a
   * newer server's) fails as an operation does.
   */
  public static int exitStatusOf(String id) {
    return of(id).map(ErrorCode::exitStatus).orElse(Exit.FAILED);
  }

  /** The line the command line prints: {@code error[id]: detail}. */
  public String line(String detail) {
    return "error[" + id + "]: " + detail;
  }
}
