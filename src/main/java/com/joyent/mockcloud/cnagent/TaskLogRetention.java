package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.util.Timer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one CN's task logs ({@code logs/cn-agent/<epoch_ms>-<pid>-<task>.log}, spec cn-agent.md
 * §2.6.7) bounded: at most {@code maxFiles}, none older than {@code maxAge} (docs/settings.md). A
 * file's age is the dispatch time in its name, so a prune lists the directory and stats nothing.
 * Other names in the directory are not ours and are left alone.
 *
 * <p>Cheap at 10,000 CNs: no scan per task. The CN counts the files it writes; only when the count
 * passes {@code maxFiles} does one prune list the directory and remove the oldest down to
 * three quarters of it, so a scan comes once every {@code maxFiles / 4} tasks. Age is kept by one
 * one-shot job per CN on the shared scheduler, due when the oldest remaining file expires (none
 * while the directory is empty). A prune also runs when the CN starts, for files of earlier runs.
 *
 * <p>Threads: {@link #written} runs wherever a task ends (a task thread, or the scheduler for a
 * timeout) and only counts; it and the age job hand every prune to the disk executor (the task
 * pool, which may block on disk). At most one prune of a CN runs at a time ({@code pruning}); a
 * request that arrives meanwhile makes it run once more. The age timer is guarded by this object's
 * monitor, never held across I/O.
 */
final class TaskLogRetention {
  private static final Logger LOG = LoggerFactory.getLogger(TaskLogRetention.class);
  private static final Pattern NAME = Pattern.compile("^(\\d{1,15})-(\\d{1,10})-.+\\.log$");
  private static final Comparator<TaskLog> OLDEST_FIRST =
      Comparator.comparingLong(TaskLog::epochMillis).thenComparingLong(TaskLog::pid);
  private static final long MIN_TIMER_MILLIS = 10;
  // Field updaters, not an Atomic* object per CN: one of these lives as long as its CN.
  private static final AtomicIntegerFieldUpdater<TaskLogRetention> FILES =
      AtomicIntegerFieldUpdater.newUpdater(TaskLogRetention.class, "files");
  private static final AtomicIntegerFieldUpdater<TaskLogRetention> PRUNING =
      AtomicIntegerFieldUpdater.newUpdater(TaskLogRetention.class, "pruning");

  private final Path dir;
  private final int maxFiles;
  private final int keepAfterPrune;
  private final long maxAgeMillis;
  private final Clock clock;
  private final Executor disk;
  private final Timer timers;
  /** Task logs in the directory as far as we know: exact after a prune, plus the writes since. */
  private volatile int files;
  /** 1 while a prune of this CN is queued or running. */
  private volatile int pruning;
  private volatile boolean pruneRequested;
  private volatile boolean failing;
  private Future<?> ageTimer; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param dir the CN's {@code logs/cn-agent}
   * @param clock what "now" is for the age bound (the CN's clock, which names the files)
   * @param disk where prunes run (the task pool)
   * @param timers where the age job waits (the shared scheduler; it only hands off to {@code disk})
   */
  TaskLogRetention(Path dir, int maxFiles, Duration maxAge, Clock clock, Executor disk,
      Timer timers) {
    if (maxFiles < 1 || maxAge.toMillis() < 1) {
      throw new IllegalArgumentException("task log bounds must be positive, got " + maxFiles + " files, " + maxAge);
    }
    this.dir = dir;
    this.maxFiles = maxFiles;
    this.keepAfterPrune = maxFiles - maxFiles / 4;
    this.maxAgeMillis = maxAge.toMillis();
    this.clock = clock;
    this.disk = disk;
    this.timers = timers;
  }

  /** At CN start: prunes what earlier runs left and arms the age job. */
  void start() {
    requestPrune();
  }

  /** One more task log was written. Never touches the disk itself. */
  void written() {
    if (FILES.incrementAndGet(this) > maxFiles) {
      requestPrune();
    }
    synchronized (this) {
      if (ageTimer == null) {
        armAgeTimer(maxAgeMillis + 1); // the file just written is the oldest
      }
    }
  }

  /** At CN stop: no more age jobs. A prune already running finishes. */
  synchronized void close() {
    closed = true;
    if (ageTimer != null) {
      ageTimer.cancel(false);
      ageTimer = null;
    }
  }

  private void requestPrune() {
    pruneRequested = true; // before the CAS: a running prune that fails it looks at this afterwards
    if (PRUNING.compareAndSet(this, 0, 1)) {
      try {
        disk.execute(this::runPrunes);
      } catch (RejectedExecutionException e) {
        pruning = 0; // the daemon is stopping
      }
    }
  }

  private void runPrunes() {
    do {
      pruneRequested = false;
      try {
        pruneNow();
      } catch (RuntimeException e) {
        LOG.warn("pruning task logs in {} failed: {}", dir, e.toString());
      }
      pruning = 0;
    } while (pruneRequested && PRUNING.compareAndSet(this, 0, 1));
  }

  /**
   * One prune on the calling thread: removes the files older than the age bound and, when there
   * are more than {@code maxFiles}, the oldest down to three quarters of it; re-arms the age job.
   */
  void pruneNow() {
    int countedBefore = files;
    List<TaskLog> logs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        TaskLog log = TaskLog.parse(p);
        if (log != null) {
          logs.add(log);
        }
      }
    } catch (NoSuchFileException e) {
      FILES.addAndGet(this, -countedBefore);
      return; // the CN's directory is gone (delete-server): nothing to keep bounded
    } catch (IOException e) {
      warnOnce("cannot list task logs in " + dir + ": " + e);
      return;
    }
    logs.sort(OLDEST_FIRST);
    long now = clock.millis();
    int excess = logs.size() > maxFiles ? logs.size() - keepAfterPrune : 0;
    int removed = 0;
    boolean allRemoved = true;
    for (TaskLog log : logs) {
      if (removed >= excess && now - log.epochMillis() <= maxAgeMillis) {
        break; // oldest first: every later file is within both bounds
      }
      try {
        Files.deleteIfExists(log.path());
      } catch (IOException e) {
        allRemoved = false;
        warnOnce("cannot remove task log " + log.path() + ": " + e);
        break;
      }
      removed++;
    }
    if (allRemoved) {
      failing = false;
    }
    int remaining = logs.size() - removed;
    // Writes that happened during the listing are in both figures: a slight over-count, which only
    // makes the next prune come a little early, and that prune sets the count right again.
    FILES.addAndGet(this, remaining - countedBefore);
    synchronized (this) {
      if (remaining == 0) {
        cancelAgeTimer();
      } else {
        // Expired once strictly older than the bound: 1 ms after it is reached.
        long expires = logs.get(removed).epochMillis() + maxAgeMillis + 1 - now;
        armAgeTimer(expires > 0 ? expires : maxAgeMillis); // not at once again if a removal failed
      }
    }
  }

  private void armAgeTimer(long delayMillis) {
    assert Thread.holdsLock(this);
    if (closed) {
      return;
    }
    cancelAgeTimer();
    try {
      ageTimer = timers.schedule(this::requestPrune, Math.max(MIN_TIMER_MILLIS, delayMillis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      ageTimer = null; // the daemon is stopping
    }
  }

  private void cancelAgeTimer() {
    assert Thread.holdsLock(this);
    if (ageTimer != null) {
      ageTimer.cancel(false);
      ageTimer = null;
    }
  }

  private void warnOnce(String message) {
    if (!failing) {
      failing = true;
      LOG.warn("{} (said once until task logs can be pruned again)", message);
    } else {
      LOG.debug(message);
    }
  }

  /** Task logs the directory held at the last prune, plus those written since. */
  int counted() {
    return files;
  }

  /** A task log file: its path and the dispatch time and pid its name carries. */
  private record TaskLog(Path path, long epochMillis, long pid) {
    static TaskLog parse(Path p) {
      Matcher m = NAME.matcher(p.getFileName().toString());
      return m.matches() ? new TaskLog(p, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : null;
    }
  }
}
