package agentmsg.server;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A server log that tests can wait on: {@link #await} blocks until a text has been logged (or a
 * timeout passes), so a test learns what the server did without sleeping. Thread-safe.
 */
final class LogWatch extends OutputStream {
  private final StringBuilder text = new StringBuilder();
  private final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

  PrintStream stream() {
    return stream;
  }

  @Override
  public synchronized void write(int b) {
    text.append((char) b);
    notifyAll();
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) {
    text.append(new String(bytes, offset, length, StandardCharsets.UTF_8));
    notifyAll();
  }

  /** Waits up to {@code seconds} for {@code expected} to appear in the log; false if it did not. */
  synchronized boolean await(String expected, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (text.indexOf(expected) < 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  @Override
  public synchronized String toString() {
    return text.toString();
  }
}
