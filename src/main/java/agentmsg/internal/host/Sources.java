package agentmsg.internal.host;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Whether the checkout a host's jar was built from has changed since: {@code bin/agent-msg}
 * rebuilds a jar older than its sources, but a call answered by the host never reaches that check,
 * so the host looks instead (a walk of about 200 files, under a millisecond in a warm JVM) and
 * sends the call back to the launcher when the sources are newer.
 */
final class Sources {
  private final Path jar;
  private final Path root;

  private Sources(Path jar, Path root) {
    this.jar = jar;
    this.root = root;
  }

  /** The checkout of {@code code} ({@code <root>/target/agent-msg.jar}), or null if none. */
  static Sources of(Path code) {
    if (code == null || !Files.isRegularFile(code)) {
      return null;
    }
    Path target = code.getParent();
    Path root = target == null ? null : target.getParent();
    if (root == null
        || !target.getFileName().toString().equals("target")
        || !Files.isRegularFile(root.resolve("pom.xml"))
        || !Files.isDirectory(root.resolve("src/main"))) {
      return null;
    }
    return new Sources(code, root);
  }

  /** Whether a source file is newer than the jar. */
  boolean changed() {
    FileTime built;
    try {
      built = Files.getLastModifiedTime(jar);
    } catch (IOException gone) {
      return true;
    }
    // Not src/main/c: the native client is not in the jar, and the launcher rebuilds it itself.
    for (Path tree :
        new Path[] {
          root.resolve("src/main/java"),
          root.resolve("src/main/resources"),
          root.resolve("src/main/resources-filtered"),
          root.resolve("migrations"),
          root.resolve("pom.xml")
        }) {
      if (newerThan(tree, built)) {
        return true;
      }
    }
    return false;
  }

  private static boolean newerThan(Path tree, FileTime built) {
    boolean[] newer = {false};
    try {
      Files.walkFileTree(
          tree,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
              return check(attributes);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              return check(attributes);
            }

            private FileVisitResult check(BasicFileAttributes attributes) {
              if (attributes.lastModifiedTime().compareTo(built) > 0) {
                newer[0] = true;
                return FileVisitResult.TERMINATE;
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException unreadable) {
      return false;
    }
    return newer[0];
  }
}
