package com.joyent.mockcloud.vm;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a temp file of an atomic write ({@code <uuid>.json.<pid>.<n>}, see
 * {@code io/AtomicFiles}) is the leftover of a writer that is gone, by the writer's pid in its
 * name. Used when a server's VMs are loaded (daemon start, CN start); a pure decision, the
 * caller deletes. See docs/vm-store.md.
 *
 * <ul>
 *   <li>No live process has the pid: the writer died ({@code kill -9}): a leftover.
 *   <li>The pid is ours: a write of ours may be in progress, so only a file older than this
 *       process (a previous run with the same pid, as pid 1 in a container) or older than a
 *       minute (no write of ours takes that long) is a leftover.
 *   <li>The pid is another live process: another writer (a second daemon or a CLI command on the
 *       same root) may be in the middle of a write; left alone, unless that process started after
 *       the file was last written, so it cannot have written it (the pid was reused).
 * </ul>
 */
final class LeftoverTempFiles {
  /** Longer than any write of ours takes; the rule before writers' pids were looked at. */
  static final long OWN_WRITE_MAX_MILLIS = 60_000;
  /**
   * A process's start time is known to about a second on Linux (boot time in whole seconds), and
   * mtimes follow the same wall clock: only a file older than this margin is before a start.
   */
  private static final long START_SLACK_MILLIS = 2_000;
  private static final Pattern PID = Pattern.compile("\\.json\\.(\\d{1,18})(?:\\.\\d+)?$");

  private final long ownPid;
  private final Optional<Instant> ownStart;

  LeftoverTempFiles() {
    this(ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant());
  }

  /** As a process with this pid and start time would judge (tests stand in for an earlier run). */
  LeftoverTempFiles(long ownPid, Optional<Instant> ownStart) {
    this.ownPid = ownPid;
    this.ownStart = ownStart;
  }

  /**
   * @param name a temp file's name ({@code AtomicFiles.isTempFile})
   * @param mtimeMillis its last modification
   * @param nowMillis the wall clock now
   */
  boolean isLeftover(String name, long mtimeMillis, long nowMillis) {
    Matcher m = PID.matcher(name);
    if (!m.find()) {
      return nowMillis - mtimeMillis > OWN_WRITE_MAX_MILLIS; // no pid to ask about: the age rule alone
    }
    long pid = Long.parseLong(m.group(1));
    if (pid == ownPid) {
      return startedAfter(ownStart, mtimeMillis) || nowMillis - mtimeMillis > OWN_WRITE_MAX_MILLIS;
    }
    Optional<ProcessHandle> writer = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (writer.isEmpty()) {
      return true;
    }
    return startedAfter(writer.get().info().startInstant(), mtimeMillis);
  }

  private static boolean startedAfter(Optional<Instant> start, long mtimeMillis) {
    return start.isPresent() && mtimeMillis < start.get().toEpochMilli() - START_SLACK_MILLIS;
  }
}
