package agentmsg.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * A server on a loopback port that fails the way real ones do, to see what our clients say: it
 * resets the connection, closes before answering, or upgrades and then vanishes. One behaviour for
 * every connection; any number of connections, one after another. Thread-safe.
 */
public final class BrokenServer implements AutoCloseable {
  /** How each connection fails. */
  public enum Behaviour {
    /** Reads the upgrade request, then resets the connection (TCP RST). */
    RESET_BEFORE_UPGRADE,
    /** Reads the upgrade request, then closes without a word. */
    CLOSE_BEFORE_UPGRADE,
    /** Upgrades, reads the first frame, then closes the socket without a close frame. */
    DROP_AFTER_FIRST_FRAME,
    /** Upgrades, reads the first frame, then resets the connection. */
    RESET_AFTER_FIRST_FRAME
  }

  private final ServerSocket socket;
  private final Behaviour behaviour;
  private final Thread thread;

  private BrokenServer(Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "broken-server");
    thread.setDaemon(true);
    thread.start();
  }

  public static BrokenServer start(Behaviour behaviour) throws IOException {
    return new BrokenServer(behaviour);
  }

  /** A loopback port on which nothing listens (bound, then released). */
  public static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  public URI uri() {
    return URI.create("ws://127.0.0.1:" + socket.getLocalPort());
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        handle(client);
      } catch (IOException e) {
        // The next connection, or closed.
      }
    }
  }

  private void handle(Socket client) throws IOException {
    client.setSoTimeout(30_000);
    InputStream in = client.getInputStream();
    String request = readHead(in);
    switch (behaviour) {
      case RESET_BEFORE_UPGRADE -> client.setSoLinger(true, 0);
      case CLOSE_BEFORE_UPGRADE -> {}
      case DROP_AFTER_FIRST_FRAME, RESET_AFTER_FIRST_FRAME -> {
        upgrade(client.getOutputStream(), request);
        readFrame(in);
        if (behaviour == Behaviour.RESET_AFTER_FIRST_FRAME) {
          client.setSoLinger(true, 0);
        }
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void upgrade(OutputStream out, String request) throws IOException {
    String key = "";
    for (String line : request.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    String accept;
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      accept =
          Base64.getEncoder()
              .encodeToString(
                  sha1.digest(
                      (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                          .getBytes(StandardCharsets.ISO_8859_1)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    out.write(
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: "
                + accept
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void readFrame(InputStream in) throws IOException {
    int first = in.read();
    int second = in.read();
    if (first < 0 || second < 0) {
      return;
    }
    long length = second & 0x7f;
    if (length == 126) {
      length = (in.read() << 8) | in.read();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | in.read();
      }
    }
    in.skipNBytes(4 + length); // the mask, then the payload
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
