package com.joyent.mockcloud.util;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The time an agent lives by: what time it is (for intervals) and "run this later". The
 * daemon's is {@link #on(ScheduledExecutorService)}, over its shared scheduler; tests give
 * agents {@code testing/ManualTimer} and move time themselves instead of sleeping, as okhttp's
 * ConnectionPoolTest does with its own clock.
 *
 * <p>Implementations are thread-safe. Tasks must be short and never block: on the daemon they
 * run on the shared scheduler's threads.
 */
public interface Timer {
  /** A monotonic reading in nanoseconds, for intervals only (as {@link System#nanoTime()}). */
  long nanoTime();

  /** Runs {@code task} once after {@code delay}; cancel the future to drop it. */
  Future<?> schedule(Runnable task, long delay, TimeUnit unit);

  /** Runs {@code task} as soon as a timer thread is free. */
  void execute(Runnable task);

  /** The real timer over {@code scheduler}. */
  static Timer on(ScheduledExecutorService scheduler) {
    return new Timer() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Future<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return scheduler.schedule(task, delay, unit);
      }

      @Override
      public void execute(Runnable task) {
        scheduler.execute(task);
      }

      @Override
      public String toString() {
        return "Timer.on(" + scheduler + ")";
      }
    };
  }
}
