package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.util.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop of one CN's net-agent: a mailbox drained on the {@link Timer} it is given (in
 * run-servers the net-agents' scheduler, {@code mockcloud-netagent-1}), and one timer for all of the
 * CN's delays.
 *
 * <p>Everything that changes a CN's net-agent state — VM events, HTTP completions, timer
 * expiries, changefeed frames — is {@link #post}ed here and runs one at a time, in order, on
 * the shared scheduler thread. So the state machines ({@link NicFsm}, {@link NetworkFsm},
 * {@link AggrFsm}, {@link VmTracker}, {@link CnSync}) are confined to this loop and need no
 * locks. Jobs only decide: network I/O is started through the CN's NAPI view (which hands
 * it to the worker pool) and disk work is handed to the worker pool; their completions are
 * posted back. A drain hands the thread back after {@value #BATCH} jobs.
 *
 * <p>Timers: a CN costs at most one pending job on the scheduler however many NICs and
 * networks it tracks. {@link Timed} items carry their due time; the loop arms one
 * timer job for the earliest and, when it fires, runs every item that is due.
 *
 * <p>Threads and locks: {@link #post} may be called from any thread; the monitor guards the
 * mailbox and {@code draining} only and is never held while a job runs. Timer methods
 * ({@link #arm}, {@link #disarm}) must be called on the loop.
 */
final class CnLoop {
  private static final Logger LOG = LoggerFactory.getLogger(CnLoop.class);
  private static final int BATCH = 64;

  /** Something with a due time, kept by the loop's single timer. Loop-confined. */
  abstract static class Timed {
    long dueAt; // 0 = not armed

    /** Runs on the loop when due. */
    abstract void onTimer();
  }

  private final String cn;
  private final Timer timer;
  private final ArrayDeque<Runnable> mailbox = new ArrayDeque<>(0);
  private boolean draining; // guarded by this
  private Runnable lastJob; // guarded by this: runs once after stop(last), in turn with the other jobs
  private volatile boolean stopped;
  // loop-confined:
  private final List<Timed> armed = new ArrayList<>(4);
  private volatile Future<?> wake; // read by stop() from any thread
  private long wakeAt;

  CnLoop(String cn, Timer timer) {
    this.cn = cn;
    this.timer = timer;
  }

  /** Milliseconds on the timer's monotonic clock: for deadlines and intervals only. */
  long now() {
    return TimeUnit.NANOSECONDS.toMillis(timer.nanoTime());
  }

  void post(Runnable job) {
    if (stopped) {
      return;
    }
    synchronized (this) {
      mailbox.addLast(job);
      if (draining) {
        return;
      }
      draining = true;
    }
    submitDrain();
  }

  /** Runs {@code job} on the loop after {@code delayMs} (a one-shot job on the scheduler). */
  void later(long delayMs, Runnable job) {
    if (stopped) {
      return;
    }
    try {
      timer.schedule(() -> post(job), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("net-agent of {}: scheduler rejected a delayed job (shutting down)", cn);
    }
  }

  /** Arms {@code t} to fire {@code delayMs} from now (replacing an earlier due time). Loop only. */
  void arm(Timed t, long delayMs) {
    if (stopped) {
      return;
    }
    if (t.dueAt == 0) {
      armed.add(t);
    }
    t.dueAt = now() + Math.max(0, delayMs);
    if (wake == null || t.dueAt < wakeAt) {
      rearm(t.dueAt);
    }
  }

  /** Loop only. */
  void disarm(Timed t) {
    if (t.dueAt != 0) {
      t.dueAt = 0;
      armed.remove(t);
    }
  }

  int armedCount() {
    return armed.size();
  }

  /** Drops pending jobs and refuses new ones; the pending timer is cancelled. Any thread. */
  void stop() {
    stop(null);
  }

  /**
   * As {@link #stop()}, and then runs {@code last} on the loop: after the job running now (if
   * any) and instead of every job still waiting, so it may touch loop-confined state. Any thread;
   * only the first call's {@code last} runs.
   */
  void stop(Runnable last) {
    boolean submit = false;
    synchronized (this) {
      if (!stopped) {
        stopped = true;
        mailbox.clear();
        if (last != null) {
          lastJob = last;
          submit = !draining;
          draining = true;
        }
      }
    }
    Future<?> w = wake;
    if (w != null) {
      w.cancel(false);
    }
    if (submit) {
      submitDrain();
    }
  }

  boolean isStopped() {
    return stopped;
  }

  private void rearm(long at) {
    if (wake != null) {
      wake.cancel(false);
    }
    wakeAt = at;
    try {
      wake = timer.schedule(() -> post(this::fire), Math.max(0, at - now()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      wake = null;
    }
  }

  private void fire() {
    wake = null;
    long now = now();
    List<Timed> due = new ArrayList<>(2);
    long next = Long.MAX_VALUE;
    for (Timed t : armed) {
      if (t.dueAt <= now) {
        due.add(t);
      } else {
        next = Math.min(next, t.dueAt);
      }
    }
    for (Timed t : due) {
      t.dueAt = 0;
      armed.remove(t);
    }
    if (next != Long.MAX_VALUE) {
      rearm(next);
    }
    for (Timed t : due) {
      t.onTimer();
    }
  }

  private void submitDrain() {
    try {
      timer.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        mailbox.clear();
        lastJob = null;
        draining = false;
      }
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable job;
      synchronized (this) {
        if (stopped) {
          job = lastJob;
          lastJob = null;
        } else {
          job = mailbox.pollFirst();
        }
        if (job == null) {
          draining = false;
          return;
        }
      }
      try {
        job.run();
      } catch (RuntimeException | AssertionError e) {
        LOG.atWarn().addKeyValue("server_uuid", cn).setCause(e).log("net-agent job failed");
      }
    }
    submitDrain();
  }
}
