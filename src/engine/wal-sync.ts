/**
 * Group commit without holding up the event loop: the fsync of a commit, off the main thread.
 *
 * better-sqlite3 is synchronous, so with `synchronous=FULL` every COMMIT stops the whole
 * server (every request, every socket) for the length of one fsync of the write-ahead log
 * — a millisecond on a quiet disk, many on a busy one. Instead, the engine's own commits
 * run with `synchronous=NORMAL` (in WAL mode: the commit is written to the log, not yet
 * synced) and this module then syncs the log file on libuv's thread pool. The engine tells
 * no caller and no listener about a commit until that sync has returned, so what a caller
 * hears is exactly as durable as with FULL: an acknowledged commit is on disk.
 *
 * Why that holds: in WAL mode a commit is a run of frames appended to the `-wal` file;
 * fdatasync of that file (Linux syncs the file, whichever descriptor asks) makes every frame
 * written before the call durable. SQLite itself syncs the log before each checkpoint
 * copies it into the database, so a checkpoint never moves unsynced frames; and frames
 * past the last sync that a crash tears are ignored on recovery by their checksums — WAL
 * with NORMAL never corrupts, it can only lose commits no one was told about.
 *
 * What differs from FULL: between the commit and its sync, a reader of the same database
 * can already see the change (for a millisecond or so). Writes made outside the engine
 * (sign-ins, audit rows, people) keep `synchronous=FULL`: the setting is switched only
 * around the engine's own commits.
 *
 * Only for a WAL-mode file database; `createWalSync` answers null for anything else (an
 * in-memory store), and the engine then commits with FULL as before.
 * `syncInCommit` turns this off (fsync inside each commit, as SQLite does; `PATHWAYS_SYNC_IN_COMMIT=1`).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type SqliteDatabase from 'better-sqlite3';

/** The log sync of one SQLite store. */
export interface WalSync {
  /** Runs a whole transaction (`begin` … `commit`) with its log write unsynced (SQLite's NORMAL); FULL again afterwards. */
  unsynced<T>(transaction: () => Promise<T>): Promise<T>;
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A WAL sync for `sqlite`, or null when its commits must sync themselves (or `syncInCommit` asks them to). */
export function createWalSync(sqlite: SqliteDatabase.Database | null, syncInCommit = false): WalSync | null {
  if (!sqlite || sqlite.memory || syncInCommit) return null;
  if (String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  const walPath = `${sqlite.name}-wal`;
  const relax = sqlite.prepare('pragma synchronous = NORMAL');
  const restore = sqlite.prepare('pragma synchronous = FULL');
  let handle: Promise<FileHandle> | null = null;
  return {
    async unsynced(transaction) {
      relax.run();
      try {
        return await transaction();
      } finally {
        restore.run();
      }
    },
    async sync() {
      // The log exists once the first commit is written, which is before the first sync.
      handle ??= open(walPath, 'r');
      // fdatasync, as SQLite itself syncs its log on Linux: the data and the file's size, not its times.
      await (await handle).datasync();
    },
    async close() {
      if (handle) await (await handle).close();
      handle = null;
    },
  };
}
