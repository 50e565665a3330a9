-- How far the last full look at an agent's inbox folder for dropped files got, so that the next
-- look checks only what is new instead of every mirror file (InboxImporter). One row per agent,
-- written only after what that look imported was committed and synced; a lost or stale row costs
-- a full look, never a missed file. No foreign key to agent: any inbox folder may be looked at.
-- Times are epoch milliseconds of this machine's clock, which is also the one the file system
-- stamps change times with (the importer keeps marks only on local file systems).

CREATE TABLE inbox_scan (
  agent          VARCHAR(64)  PRIMARY KEY,
  -- The folder's device and inode: a folder moved into place keeps the change times of its files,
  -- so another folder under the same name is looked at in full.
  folder_id      VARCHAR(100) NOT NULL,
  -- The folder's device, inode, change and modification times when a look left nothing in it to
  -- look at again: while the folder still shows exactly these, nothing entered or left it. NULL
  -- when that look cannot vouch for the folder (it left a file for later, or the folder had
  -- changed too recently to rule out a change within the same timestamp).
  folder_stamp   VARCHAR(200),
  -- Every file in the folder whose change time (ctime) is before this was looked at.
  checked_before BIGINT       NOT NULL,
  -- When a look last checked every file name, whatever its change time.
  full_at        BIGINT       NOT NULL,
  -- When the look that wrote this row started.
  scanned_at     BIGINT       NOT NULL
);
