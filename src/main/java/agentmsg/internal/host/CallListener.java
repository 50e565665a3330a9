package agentmsg.internal.host;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The store host's socket for CLI calls ({@code <home>/.host/cli.sock}): takes one command line per
 * connection from a client of the same user, has the {@link Handler} run it in this process, and
 * streams its output and exit code back ({@link Frames}). The folder is the owner's alone (0700),
 * the socket too (0600), and each caller's user id is checked as well.
 *
 * <p>Thread-safe. One named daemon thread accepts; each call has a thread that runs it and one that
 * reads what the client sends meanwhile (acks, standard input, its going away).
 */
public final class CallListener implements AutoCloseable {
  /** Runs command lines; the CLI's. */
  public interface Handler {
    /** Null when this host runs {@code args}; otherwise why the client should run it itself. */
    String refusal(List<String> args);

    /** Runs one call and returns its exit code. */
    int run(Call call);
  }

  /** One command line to run, as the client's process would have run it. */
  public record Call(
      List<String> args,
      Map<String, String> env,
      Path workingDirectory,
      boolean terminal,
      InputStream in,
      PrintStream out,
      PrintStream err) {}

  /** How long a client may take to send its whole request. */
  private static final long REQUEST_MILLIS = 10_000;

  /** At most this many calls at once; more wait in the socket's backlog. */
  private static final int MAX_CALLS = 64;

  private final Path socket;
  private final ServerSocketChannel server;
  private final Handler handler;
  private final PrintStream log;
  private final String stamp;
  private final Sources sources;
  private final UserPrincipal owner;
  private final Thread acceptor;
  private final ScheduledExecutorService timer;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong lastCallEnded = new AtomicLong(System.nanoTime());
  private final AtomicInteger counter = new AtomicInteger();
  private volatile boolean closed;

  private CallListener(
      Path socket,
      ServerSocketChannel server,
      Handler handler,
      PrintStream log,
      UserPrincipal owner) {
    this.socket = socket;
    this.server = server;
    this.handler = handler;
    this.log = log;
    this.owner = owner;
    Path code = Frames.codeSource();
    this.stamp = code == null ? "-\n0 0 0" : Frames.codeStamp(code);
    this.sources = Sources.of(code);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> daemon(runnable, "agent-msg-host-timer"));
    this.acceptor = daemon(this::acceptLoop, "agent-msg-host-accept");
  }

  /**
   * Listens on {@code home}'s socket. The caller holds the host lock, so a socket file left there
   * is a dead host's and is replaced.
   *
   * @throws IOException when the socket cannot be made (e.g. its path is too long)
   */
  public static CallListener open(Path home, Handler handler, PrintStream log) throws IOException {
    Path socket = Frames.socket(home);
    Path folder = socket.getParent();
    Files.createDirectories(folder);
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket), MAX_CALLS);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      UserPrincipal owner = Files.getOwner(folder);
      CallListener listener = new CallListener(socket, server, handler, log, owner);
      listener.acceptor.start();
      return listener;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Whether a call runs now or ended less than {@code nanos} ago. */
  public boolean busyWithin(long nanos) {
    return active.get() > 0 || System.nanoTime() - lastCallEnded.get() < nanos;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing is all there was to do.
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // A stale socket refuses connections; the next host replaces it.
    }
    timer.shutdownNow();
    try {
      acceptor.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.println(Instant.now() + " host: accepting calls failed: " + e);
        }
        return;
      }
      if (active.incrementAndGet() > MAX_CALLS) {
        active.decrementAndGet();
        closeQuietly(channel);
        continue;
      }
      daemon(() -> serve(channel), "agent-msg-call-" + counter.incrementAndGet()).start();
    }
  }

  private void serve(SocketChannel channel) {
    try (channel) {
      if (!sameUser(channel)) {
        log.println(Instant.now() + " host: refused a call from another user");
        return;
      }
      var expired =
          timer.schedule(() -> closeQuietly(channel), REQUEST_MILLIS, TimeUnit.MILLISECONDS);
      DataInputStream in = new DataInputStream(Frames.input(channel));
      Connection connection = new Connection(new BufferedOutputStream(Frames.output(channel)));
      Request request = Request.read(in);
      expired.cancel(false);
      if (request == null) {
        return; // not a client of this protocol
      }
      if (!request.stamp().equals(stamp)) {
        connection.send(Frames.WRONG_BUILD, "this host runs " + stamp.replace('\n', ' '));
        return;
      }
      if (sources != null && sources.changed()) {
        connection.send(Frames.WRONG_BUILD, "the sources changed since this host's jar was built");
        return;
      }
      String refusal = handler.refusal(request.args());
      if (refusal != null) {
        connection.send(Frames.NOT_SERVED, refusal);
        return;
      }
      run(request, in, connection);
    } catch (IOException | RuntimeException e) {
      // The client went away or spoke something else; its call is over either way.
    } finally {
      lastCallEnded.set(System.nanoTime());
      active.decrementAndGet();
    }
  }

  private void run(Request request, DataInputStream in, Connection connection) throws IOException {
    CallOutput out = new CallOutput(connection);
    CallInput input = new CallInput(connection);
    Thread reader =
        daemon(() -> readClient(in, out, input), Thread.currentThread().getName() + "-in");
    reader.start();
    PrintStream stdout = new PrintStream(out, false, StandardCharsets.UTF_8);
    PrintStream stderr = new PrintStream(new CallError(connection), true, StandardCharsets.UTF_8);
    int code =
        handler.run(
            new Call(
                request.args(),
                request.env(),
                request.workingDirectory(),
                request.terminal(),
                input,
                stdout,
                stderr));
    stdout.flush();
    stderr.flush();
    connection.send(
        Frames.EXIT,
        new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code});
  }

  /** Reads acks and standard input until the client closes its side or goes away. */
  private static void readClient(DataInputStream in, CallOutput out, CallInput input) {
    try {
      while (true) {
        Frames.Frame frame = Frames.read(in);
        if (frame == null) {
          break;
        }
        switch (frame.type()) {
          case Frames.PRINTED -> out.printed();
          case Frames.INPUT -> input.add(frame.payload());
          case Frames.INPUT_END -> input.end();
          default -> throw new IOException("unexpected frame " + (char) frame.type());
        }
      }
    } catch (IOException | RuntimeException gone) {
      // Treated as the client's end below.
    }
    out.gone();
    input.gone();
  }

  private boolean sameUser(SocketChannel channel) {
    try {
      UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      return peer != null && peer.user().equals(owner);
    } catch (IOException | UnsupportedOperationException unknown) {
      // Where the platform cannot tell, the folder's and the socket's permissions still apply.
      return unknown instanceof UnsupportedOperationException;
    }
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  /** The client's request: its hello and command line. */
  private record Request(
      String stamp,
      List<String> args,
      Map<String, String> env,
      Path workingDirectory,
      boolean terminal) {

    /** Reads the request up to {@code R}; null when it is not one. */
    static Request read(DataInputStream in) throws IOException {
      Frames.Frame hello = Frames.read(in);
      if (hello == null || hello.type() != Frames.HELLO_FRAME) {
        return null;
      }
      String text = hello.text();
      if (!text.startsWith(Frames.HELLO + "\n")) {
        return new Request(
            "protocol " + text.lines().findFirst().orElse(""), List.of(), Map.of(), null, false);
      }
      String stamp = text.substring(Frames.HELLO.length() + 1).strip();
      List<String> args = new ArrayList<>();
      Map<String, String> env = new HashMap<>();
      Path directory = null;
      boolean terminal = false;
      while (true) {
        Frames.Frame frame = Frames.read(in);
        if (frame == null) {
          return null;
        }
        switch (frame.type()) {
          case Frames.ARGUMENT -> args.add(frame.text());
          case Frames.VARIABLE -> {
            String entry = frame.text();
            int equals = entry.indexOf('=');
            if (equals > 0) {
              env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
          }
          case Frames.DIRECTORY -> directory = Path.of(frame.text());
          case Frames.TERMINAL ->
              terminal = frame.payload().length == 1 && frame.payload()[0] == '1';
          case Frames.RUN -> {
            if (directory == null || !directory.isAbsolute()) {
              return null;
            }
            return new Request(stamp, List.copyOf(args), Map.copyOf(env), directory, terminal);
          }
          default -> {
            return null;
          }
        }
      }
    }
  }

  /** Writes frames to the client, one whole frame at a time. */
  private static final class Connection {
    private final OutputStream out;
    private boolean broken;

    Connection(OutputStream out) {
      this.out = out;
    }

    synchronized void send(byte type, byte[] payload, int offset, int length) throws IOException {
      if (broken) {
        throw new IOException("the client went away");
      }
      try {
        Frames.write(out, type, payload, offset, length);
        out.flush();
      } catch (IOException e) {
        broken = true;
        throw e;
      }
    }

    void send(byte type, byte[] payload) throws IOException {
      send(type, payload, 0, payload.length);
    }

    void send(byte type, String text) throws IOException {
      send(type, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The call's standard output. {@link #flush} returns once the client has written everything to
   * its own standard output, and fails if it went away first: a command that marks messages read or
   * surfaced after printing them then knows they were not shown.
   */
  private static final class CallOutput extends OutputStream {
    private final Connection connection;
    private final byte[] buffer = new byte[8192];
    private int count;
    private long sent;
    private long printed;
    private boolean gone;

    CallOutput(Connection connection) {
      this.connection = connection;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      if (count == buffer.length) {
        drain();
      }
      buffer[count++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
      while (length > 0) {
        if (count == buffer.length) {
          drain();
        }
        int n = Math.min(length, buffer.length - count);
        System.arraycopy(bytes, offset, buffer, count, n);
        count += n;
        offset += n;
        length -= n;
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      drain();
      while (printed < sent) {
        if (gone) {
          throw new IOException("the client went away before it printed the output");
        }
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while the client printed");
        }
      }
    }

    private void drain() throws IOException {
      if (count == 0) {
        return;
      }
      if (gone) {
        throw new IOException("the client went away");
      }
      connection.send(Frames.STDOUT, buffer, 0, count);
      sent++;
      count = 0;
    }

    synchronized void printed() {
      printed++;
      notifyAll();
    }

    synchronized void gone() {
      gone = true;
      notifyAll();
    }
  }

  /** The call's standard error: each write goes out at once, nothing waits for the client. */
  private static final class CallError extends OutputStream {
    private final Connection connection;

    CallError(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (length > 0) {
        connection.send(Frames.STDERR, bytes, offset, length);
      }
    }
  }

  /**
   * The call's standard input: asks the client for it on the first read, so that a command that
   * never reads it leaves the caller's standard input alone. A client gone before the end is an
   * error, never a short input.
   */
  private static final class CallInput extends InputStream {
    private final Connection connection;
    private final java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
    private byte[] current = new byte[0];
    private int position;
    private boolean asked;
    private boolean ended;
    private boolean gone;

    CallInput(Connection connection) {
      this.connection = connection;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] bytes, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (!asked) {
        asked = true;
        connection.send(Frames.SEND_INPUT, new byte[0]);
      }
      while (position == current.length) {
        byte[] next = chunks.poll();
        if (next != null) {
          current = next;
          position = 0;
          continue;
        }
        if (ended) {
          return -1;
        }
        if (gone) {
          throw new IOException("the client went away while sending its standard input");
        }
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading standard input");
        }
      }
      int n = Math.min(length, current.length - position);
      System.arraycopy(current, position, bytes, offset, n);
      position += n;
      return n;
    }

    synchronized void add(byte[] chunk) {
      chunks.add(chunk);
      notifyAll();
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized void gone() {
      gone = true;
      notifyAll();
    }
  }
}
