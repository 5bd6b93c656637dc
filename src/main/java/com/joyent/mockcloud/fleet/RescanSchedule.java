package com.joyent.mockcloud.fleet;

import java.nio.file.attribute.FileTime;

/**
 * When a rescan lists {@code servers/} and when it may skip the listing: at 10,000 CNs a listing
 * every 2 s was a measurable share of the idle CPU, and adding, removing or renaming an entry
 * changes the directory's mtime. So a listing is skipped while the mtime stands still, unless the
 * last one could have raced a change (an mtime within {@link #RACY_MTIME_MILLIS} of it), found an
 * entry not yet a complete server (it changes inside, not in {@code servers/}), failed, or a CN
 * failed to start; and every {@link #FULL_RESCAN_EVERY}th time regardless. Not thread-safe: the
 * fleet calls it under its lock.
 */
final class RescanSchedule {
  /** Every this many rescans the servers directory is listed even if its mtime stood still. */
  static final int FULL_RESCAN_EVERY = 30;
  /** An mtime this close to a listing's start may hide a change made just after it (coarse file times). */
  static final long RACY_MTIME_MILLIS = 1_000;

  private FileTime listedAtMtime;
  private boolean listAgain = true;
  private int skipped;

  /** @param mtime the servers directory's mtime now, null if it cannot be read */
  boolean shouldList(FileTime mtime) {
    if (!listAgain && mtime != null && mtime.equals(listedAtMtime) && ++skipped < FULL_RESCAN_EVERY) {
      return false;
    }
    skipped = 0;
    return true;
  }

  /**
   * A listing succeeded.
   *
   * @param mtime the directory's mtime read before listing
   * @param startedMillis when the listing started (wall clock, as file times are)
   * @param incomplete it found a UUID-named entry that is not a server yet
   */
  void listed(FileTime mtime, long startedMillis, boolean incomplete) {
    listedAtMtime = mtime;
    listAgain = incomplete || mtime == null || startedMillis - mtime.toMillis() < RACY_MTIME_MILLIS;
  }

  /** A listing failed, or a CN failed to start (a fix inside its directory does not change servers/). */
  void listAgain() {
    listAgain = true;
  }
}
