package agentmsg.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client written by hand on a plain socket, for what a well-behaved library will not
 * do: never read, send invalid UTF-8, fragment frames at will, or write frames of any opcode. It
 * reads only when asked to ({@link #readUntilClose}). Not thread-safe.
 */
final class RawWebSocket implements AutoCloseable {
  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;

  /** A frame read from the server. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame, or 1005 if it has none. */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final Random masks = new Random(1);

  private RawWebSocket(Socket socket, DataInputStream in) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = in;
  }

  /**
   * Connects and upgrades, sending {@code headers}; {@code receiveBuffer} (bytes, 0 for the
   * system's) keeps the kernel from holding much of what the server writes.
   */
  static RawWebSocket connect(URI uri, Map<String, String> headers, int receiveBuffer)
      throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout(60_000);
    StringBuilder request = new StringBuilder();
    request.append("GET / HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':');
    request.append(uri.getPort()).append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    request.append("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("\r\n");
    socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    DataInputStream in = new DataInputStream(socket.getInputStream());
    String status = readLine(in);
    if (!status.contains(" 101 ")) {
      socket.close();
      throw new IOException("upgrade refused: " + status);
    }
    while (!readLine(in).isEmpty()) {
      // headers: not needed
    }
    return new RawWebSocket(socket, in);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("the server closed during the upgrade");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  void sendText(String text) throws IOException {
    frame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes one frame, masked as a client must; {@code fin} false leaves a message open. */
  void frame(boolean fin, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      long length = payload.length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    masks.nextBytes(mask);
    frame.write(mask, 0, 4);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    frame.write(masked, 0, masked.length);
    out.write(frame.toByteArray());
  }

  /** Writes raw bytes as they are: for frames no encoder would make. */
  void raw(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /**
   * Reads frames until a close frame or the end of the stream.
   *
   * @return the frames read; the last is the close frame if one came
   */
  List<Frame> readUntilClose() throws IOException {
    List<Frame> frames = new ArrayList<>();
    try {
      while (true) {
        Frame frame = read();
        frames.add(frame);
        if (frame.opcode() == CLOSE) {
          return frames;
        }
      }
    } catch (EOFException | SocketException end) {
      return frames;
    }
  }

  /** Reads the next message (its fragments joined) or control frame, waiting for it. */
  Frame readOne() throws IOException {
    return read();
  }

  private Frame read() throws IOException {
    ByteArrayOutputStream message = null;
    int messageOpcode = 0;
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      boolean fin = (first & 0x80) != 0;
      int opcode = first & 0x0f;
      if (opcode >= CLOSE) {
        return new Frame(opcode, payload); // control frames may come between fragments
      }
      if (message == null) {
        if (fin) {
          return new Frame(opcode, payload);
        }
        message = new ByteArrayOutputStream();
        messageOpcode = opcode;
      }
      message.write(payload, 0, payload.length);
      if (fin) {
        return new Frame(messageOpcode, message.toByteArray());
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
