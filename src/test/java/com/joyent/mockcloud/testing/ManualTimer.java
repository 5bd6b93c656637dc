package com.joyent.mockcloud.testing;

import com.joyent.mockcloud.util.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} whose time moves only when a test says so. {@link #advance(Duration)} runs,
 * on the calling thread and in due order, every task that falls due in that span, including
 * tasks those tasks schedule; {@link #runDue()} runs what is due now (and what was handed to
 * {@code execute}). Thread-safe: agents may schedule from their own threads (an HTTP answer)
 * while the test advances.
 *
 * <p>{@link #clock()} is a wall clock that moves with it, for code that reads both.
 */
public final class ManualTimer implements Timer {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private record Entry(long dueNanos, long seq, Runnable task, CompletableFuture<Void> handle) {}

  private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
      ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
  private long nowNanos; // guarded by this
  private long seq; // guarded by this

  @Override
  public synchronized long nanoTime() {
    return nowNanos;
  }

  @Override
  public Future<?> schedule(Runnable task, long delay, TimeUnit unit) {
    CompletableFuture<Void> handle = new CompletableFuture<>();
    synchronized (this) {
      queue.add(new Entry(nowNanos + Math.max(0, unit.toNanos(delay)), seq++, task, handle));
    }
    return handle;
  }

  @Override
  public void execute(Runnable task) {
    schedule(task, 0, TimeUnit.NANOSECONDS);
  }

  /** Moves time forward by {@code d}, running every task due on the way at its own time. */
  public void advance(Duration d) {
    long target;
    synchronized (this) {
      target = nowNanos + d.toNanos();
    }
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueNanos > target) {
          nowNanos = target;
          return;
        }
        queue.poll();
        nowNanos = Math.max(nowNanos, next.dueNanos);
      }
      run(next);
    }
  }

  /** Runs every task due now, without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Tasks waiting, cancelled ones excluded. */
  public synchronized int pending() {
    return (int) queue.stream().filter(e -> !e.handle.isCancelled()).count();
  }

  /** How long until the next task that is not cancelled, or null when none waits. */
  public synchronized Duration untilNext() {
    return queue.stream().filter(e -> !e.handle.isCancelled()).min(queue.comparator()) // iteration is unordered
        .map(e -> Duration.ofNanos(e.dueNanos - nowNanos)).orElse(null);
  }

  /** How long until each task that is not cancelled, soonest first: to wait until one is set. */
  public synchronized List<Duration> dueIn() {
    return queue.stream().filter(e -> !e.handle.isCancelled()).map(e -> Duration.ofNanos(e.dueNanos - nowNanos))
        .sorted().toList();
  }

  /** A wall clock that reads 2026-01-01T00:00:00Z plus the time this timer has moved. */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a ManualTimer's clock is UTC");
      }

      @Override
      public Instant instant() {
        return START.plusNanos(nanoTime());
      }
    };
  }

  private static void run(Entry e) {
    if (e.handle.isCancelled()) {
      return;
    }
    try {
      e.task.run();
      e.handle.complete(null);
    } catch (RuntimeException | Error t) {
      e.handle.completeExceptionally(t);
      throw t;
    }
  }
}
