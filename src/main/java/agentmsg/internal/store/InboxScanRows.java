package agentmsg.internal.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code inbox_scan} table: per agent, how far the last full look at its inbox folder for
 * dropped files got (see {@code InboxImporter}). Stateless.
 */
final class InboxScanRows {
  private InboxScanRows() {}

  static Optional<MailStore.ScanMark> find(Handle handle, String agent) {
    return handle
        .createQuery(
            "SELECT folder_id, folder_stamp, checked_before, full_at, scanned_at FROM inbox_scan"
                + " WHERE agent = :agent")
        .bind("agent", agent)
        .map(
            (rows, context) ->
                new MailStore.ScanMark(
                    rows.getString("folder_id"),
                    rows.getString("folder_stamp"),
                    rows.getLong("checked_before"),
                    rows.getLong("full_at"),
                    rows.getLong("scanned_at")))
        .findOne();
  }

  /**
   * Records {@code mark} for {@code agent}, replacing the previous one. Looks in other processes
   * may record theirs in any order: each mark is true on its own, so the last one written wins.
   */
  static void save(Handle handle, String agent, MailStore.ScanMark mark) {
    handle
        .createUpdate(
            Dialect.of(handle)
                .upsert(
                    "inbox_scan",
                    "agent, folder_id, folder_stamp, checked_before, full_at, scanned_at",
                    "agent",
                    ":agent, :folderId, :folderStamp, :checkedBefore, :fullAt, :scannedAt",
                    "folder_id",
                    "folder_stamp",
                    "checked_before",
                    "full_at",
                    "scanned_at"))
        .bind("agent", agent)
        .bind("folderId", mark.folderId())
        .bind("folderStamp", mark.folderStamp())
        .bind("checkedBefore", mark.checkedBefore())
        .bind("fullAt", mark.fullAt())
        .bind("scannedAt", mark.scannedAt())
        .execute();
  }
}
