package agentmsg.internal.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The state of {@code agent-msg watch} in the data home ({@code .host/watch/}): the lock that lets
 * one watcher per agent and session be armed, and the agent's watermark, the highest message seq a
 * watcher has woken it for. The lock is an OS file lock, so a watcher that dies frees it. Not
 * thread-safe; one watcher process owns one instance.
 */
public final class WatchMark implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private WatchMark(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static Path folder(Path home) {
    return home.resolve(".host").resolve("watch");
  }

  /**
   * Arms the watcher of {@code agent} in {@code session}, or returns null if one is armed already
   * (in this process or another).
   */
  public static WatchMark arm(Path home, String agent, String session) throws IOException {
    Path folder = Files.createDirectories(folder(home));
    Path file = folder.resolve(agent + "@" + session + ".lock");
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException armedHere) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      return null;
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap(
            (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    return new WatchMark(channel, lock);
  }

  /** The pid an armed watcher wrote into its lock file, or "?" when it cannot be read. */
  public static String holder(Path home, String agent, String session) {
    try {
      String text = Files.readString(folder(home).resolve(agent + "@" + session + ".lock")).strip();
      return text.isEmpty() ? "?" : text;
    } catch (IOException e) {
      return "?";
    }
  }

  /** The highest seq the agent was woken for; 0 if never. */
  public static long watermark(Path home, String agent) throws IOException {
    try {
      return Long.parseLong(Files.readString(folder(home).resolve(agent + ".seq")).strip());
    } catch (NoSuchFileException | NumberFormatException never) {
      return 0;
    }
  }

  /** Raises the agent's watermark to {@code seq} (never lowers it), in one rename. */
  public void raise(Path home, String agent, long seq) throws IOException {
    if (seq <= watermark(home, agent)) {
      return;
    }
    Path file = folder(home).resolve(agent + ".seq");
    Path tmp = file.resolveSibling(agent + ".seq." + ProcessHandle.current().pid() + ".tmp");
    Files.writeString(tmp, seq + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Disarms: another watcher may be armed from now on. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
