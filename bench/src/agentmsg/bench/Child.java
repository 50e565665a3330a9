package agentmsg.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose standard output is read line by line on a daemon thread, each line stamped
 * with {@link System#nanoTime()} the moment it is read. Closing it sends SIGTERM, then SIGKILL.
 */
final class Child implements AutoCloseable {
  /** One line of output and when it was read. */
  record Line(long nanos, String text) {}

  private static final Line END = new Line(0, null);

  private final Process process;
  private final Path stderr;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

  private Child(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(this::readLines, "bench-child-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  static Child start(List<String> command, Map<String, String> env, Path stderr)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    return new Child(builder.start(), stderr);
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  private void readLines() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String text;
      while ((text = reader.readLine()) != null) {
        lines.add(new Line(System.nanoTime(), text));
      }
    } catch (IOException closed) {
      // The child went away; END below tells the waiting side.
    } finally {
      lines.add(END);
    }
  }

  /** The next line, waiting up to {@code timeoutMillis}; fails if none comes or the child ended. */
  Line nextLine(long timeoutMillis) throws InterruptedException {
    Line line = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    if (line == null) {
      throw new IllegalStateException(
          "no output from pid " + process.pid() + " in " + timeoutMillis + " ms" + stderrTail());
    }
    if (line == END) {
      lines.add(END);
      throw new IllegalStateException("pid " + process.pid() + " ended early" + stderrTail());
    }
    return line;
  }

  /**
   * Waits until the process has an inotify watch in place: from then on a file landing in the
   * watched folder wakes it. This is how a harness knows a {@code wait} or {@code poll} is ready
   * without sleeping for a guessed time.
   */
  void awaitInotifyWatch(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("pid " + process.pid() + " ended early" + stderrTail());
      }
      if (hasInotifyWatch(process.pid())) {
        return;
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException(
        "pid " + process.pid() + " set no inotify watch in " + timeoutMillis + " ms");
  }

  private static boolean hasInotifyWatch(long pid) {
    Path fds = Path.of("/proc", Long.toString(pid), "fd");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
      for (Path fd : entries) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify")) {
            Path info = Path.of("/proc", Long.toString(pid), "fdinfo", fd.getFileName().toString());
            if (Files.readString(info).contains("inotify wd:")) {
              return true;
            }
          }
        } catch (IOException closedMeanwhile) {
          // An fd may close between listing and reading it.
        }
      }
    } catch (IOException notThereYet) {
      return false;
    }
    return false;
  }

  /** User plus system CPU time of the whole process so far, in clock ticks. */
  long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    // Fields after the command name, which is in parentheses and may hold spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * User plus system CPU time in clock ticks of the process's threads, summed by thread name with
   * digits replaced by {@code N} ({@code agent-msg-write}, {@code GC Thread#N}; Linux keeps 15
   * characters of a name). Threads that ended since are missing.
   */
  Map<String, Long> threadCpuTicks() throws IOException {
    Map<String, Long> ticks = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        String stat;
        try {
          stat = Files.readString(thread.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        ticks.merge(
            name.replaceAll("[0-9]+", "N"),
            Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
            Long::sum);
      }
    }
    return ticks;
  }

  /** The resident set size in KiB, or -1 if unknown. */
  long rssKib() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException unknown) {
      return -1;
    }
    return -1;
  }

  String stderrTail() {
    try {
      String text = Files.exists(stderr) ? Files.readString(stderr).strip() : "";
      if (text.isEmpty()) {
        return "";
      }
      return "; stderr: " + (text.length() > 2000 ? text.substring(text.length() - 2000) : text);
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops the child (SIGTERM, then SIGKILL after 5 s) and returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
