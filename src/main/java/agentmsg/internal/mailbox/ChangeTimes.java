package agentmsg.internal.mailbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the file system says about when an inbox folder, and the files in it, last changed: what
 * lets {@link InboxImporter} look only at what is new. It relies on change times (ctime), not
 * modification times: a program can set a file's modification time to anything ({@code mv} and
 * {@code cp -p} keep an old one), but creating, renaming, linking or copying a file sets its change
 * time to now, and adding or removing an entry sets the folder's. Stateless.
 */
final class ChangeTimes {
  /**
   * File systems that stamp change times with this machine's clock and set them on a rename or a
   * link, as Linux's local file systems do. Elsewhere (network and FUSE file systems, FAT, other
   * platforms) every look checks every file name.
   */
  private static final Set<String> LOCAL_FILE_SYSTEMS =
      Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs", "overlay");

  private ChangeTimes() {}

  /**
   * A folder's device, inode, change and modification times, from one {@code stat}: while it reads
   * the same, no entry was added to or removed from the folder.
   *
   * @param folderId the device and inode: which folder it is
   * @param value the whole stamp, to compare for equality
   * @param newestMillis the later of the two times, rounded up to the millisecond
   * @param wholeSeconds whether both times are whole seconds (a file system that keeps no finer)
   */
  record Stamp(String folderId, String value, long newestMillis, boolean wholeSeconds) {
    /**
     * Whether a change to the folder after {@code nowMillis} is sure to show in its stamp: the
     * clock has moved past the timestamp the folder carries now, so a change cannot get the same
     * one. Timestamps come from a clock that ticks every few milliseconds (or from whole seconds).
     */
    boolean settledAt(long nowMillis) {
      return nowMillis - newestMillis >= (wholeSeconds ? 2_000 : 100);
    }
  }

  /**
   * Whether a device's file system keeps change times, by device number: a device is one mounted
   * file system, whose type cannot change while it is mounted, and asking for the type reads the
   * whole mount table.
   */
  private static final Map<String, Boolean> KEPT_BY_DEVICE = new ConcurrentHashMap<>();

  /**
   * Whether the file system of {@code folder}, whose stamp is {@code stamp}, keeps change times
   * that {@link InboxImporter} can use.
   */
  static boolean kept(Path folder, Stamp stamp) {
    String device = stamp.folderId().substring(0, stamp.folderId().indexOf('/'));
    Boolean known = KEPT_BY_DEVICE.get(device);
    if (known != null) {
      return known;
    }
    boolean kept;
    try {
      kept = LOCAL_FILE_SYSTEMS.contains(Files.getFileStore(folder).type());
    } catch (IOException e) {
      return false; // asked again next time
    }
    KEPT_BY_DEVICE.put(device, kept);
    return kept;
  }

  /**
   * The stamp of {@code folder}, or null where the platform reports no change times.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such folder
   */
  // JavaInstantGetSecondsGetNano: only the sub-second part is wanted here.
  @SuppressWarnings("JavaInstantGetSecondsGetNano")
  static Stamp stamp(Path folder) throws IOException {
    if (!hasChangeTimes(folder)) {
      return null;
    }
    Map<String, Object> attributes =
        Files.readAttributes(folder, "unix:dev,ino,ctime,lastModifiedTime");
    FileTime changed = (FileTime) attributes.get("ctime");
    FileTime modified = (FileTime) attributes.get("lastModifiedTime");
    String folderId = attributes.get("dev") + "/" + attributes.get("ino");
    String value = folderId + "/" + changed.toInstant() + "/" + modified.toInstant();
    FileTime newest = changed.compareTo(modified) >= 0 ? changed : modified;
    long millis = newest.toMillis();
    if (newest.toInstant().getNano() % 1_000_000 != 0) {
      millis++;
    }
    boolean wholeSeconds =
        changed.toInstant().getNano() == 0 && modified.toInstant().getNano() == 0;
    return new Stamp(folderId, value, millis, wholeSeconds);
  }

  /** The change time of {@code file} itself (not of a link's target), in epoch milliseconds. */
  static long changedMillis(Path file) throws IOException {
    return ((FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS))
        .toMillis();
  }

  private static boolean hasChangeTimes(Path folder) {
    return folder.getFileSystem().supportedFileAttributeViews().contains("unix");
  }
}
