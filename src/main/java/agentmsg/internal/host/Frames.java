package agentmsg.internal.host;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI host protocol (version 1): frames of one type byte, a 4-byte big-endian length and the
 * payload, one call per connection. The README's "The CLI host" section is the specification; the
 * native client ({@code src/main/c/agent-msg-client.c}) speaks the same.
 */
public final class Frames {
  /** The first line of the client's hello. */
  public static final String HELLO = "agent-msg-host 1";

  /** The largest payload either side accepts. */
  public static final int MAX_PAYLOAD = 16 * 1024 * 1024;

  /**
   * Exit status of the Java client when nothing ran and the launcher should run the call itself.
   */
  public static final int FALL_BACK = 120;

  // Client -> host.
  public static final byte HELLO_FRAME = 'H';
  public static final byte ARGUMENT = 'A';
  public static final byte VARIABLE = 'V';
  public static final byte DIRECTORY = 'D';
  public static final byte TERMINAL = 'T';
  public static final byte RUN = 'R';
  public static final byte INPUT = 'I';
  public static final byte INPUT_END = 'i';
  public static final byte PRINTED = 'a';

  // Host -> client.
  public static final byte NOT_SERVED = 'n';
  public static final byte WRONG_BUILD = 'w';
  public static final byte STDOUT = 'o';
  public static final byte STDERR = 'e';
  public static final byte SEND_INPUT = 's';
  public static final byte EXIT = 'x';

  private Frames() {}

  /** The socket of the host of {@code home}. */
  public static Path socket(Path home) {
    return home.resolve(".host").resolve("cli.sock");
  }

  /** One frame read from a stream. */
  // ArrayRecordComponent: a Frame is read and handled, never compared or hashed.
  @SuppressWarnings("ArrayRecordComponent")
  public record Frame(byte type, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** Reads one frame; null at a clean end of stream before its first byte. */
  public static Frame read(DataInputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    int length;
    try {
      length = in.readInt();
    } catch (EOFException cut) {
      throw new IOException("the connection ended inside a frame", cut);
    }
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new IOException("a frame of " + Integer.toUnsignedString(length) + " bytes");
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame((byte) type, payload);
  }

  /** Writes one frame (not flushed). */
  public static void write(OutputStream out, byte type, byte[] payload, int offset, int length)
      throws IOException {
    out.write(
        new byte[] {
          type, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
        });
    out.write(payload, offset, length);
  }

  public static void write(OutputStream out, byte type, byte[] payload) throws IOException {
    write(out, type, payload, 0, payload.length);
  }

  public static void write(OutputStream out, byte type, String text) throws IOException {
    write(out, type, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The stamp of the code a client expects the host to run: its path, size and modification time to
   * the nanosecond, as {@code stat} gives them. A rebuilt jar has another.
   */
  public static String codeStamp(Path code) {
    try {
      var attributes =
          Files.readAttributes(code, java.nio.file.attribute.BasicFileAttributes.class);
      var modified = attributes.lastModifiedTime().toInstant();
      return code
          + "\n"
          + attributes.size()
          + " "
          + modified.getEpochSecond()
          + " "
          + modified.getNano();
    } catch (IOException | UnsupportedOperationException unknown) {
      return "-\n0 0 0";
    }
  }

  /**
   * A stream reading the channel. Not {@code Channels.newInputStream}: on JDK 17 its streams of one
   * channel share a lock, so a read waiting for the other side would block every write.
   */
  public static InputStream input(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        return length == 0 ? 0 : channel.read(ByteBuffer.wrap(bytes, offset, length));
      }
    };
  }

  /** A stream writing the channel whole; see {@link #input}. */
  public static OutputStream output(SocketChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    };
  }

  /** The jar or class folder this code was loaded from, or null when unknown. */
  public static Path codeSource() {
    try {
      return Path.of(Frames.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath();
    } catch (Exception unknown) {
      return null;
    }
  }
}
