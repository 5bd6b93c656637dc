package com.joyent.mockcloud.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for something another thread makes true: an HTTP answer, a file a task wrote. Time an
 * agent itself measures is moved with {@link ManualTimer} instead; this only bounds how long a
 * test waits for work that really runs on other threads.
 */
public final class Await {
  private static final long POLL_MILLIS = 10;

  private Await() {}

  /** Polls {@code check} until it holds (true) or {@code timeout} has passed (its last answer). */
  public static boolean until(Duration timeout, BooleanSupplier check) throws InterruptedException {
    return until(timeout, Duration.ofMillis(POLL_MILLIS), check);
  }

  /** As {@link #until(Duration, BooleanSupplier)}, looking every {@code poll}. */
  public static boolean until(Duration timeout, Duration poll, BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (check.getAsBoolean()) {
        return true;
      }
      // real sleep: the condition is made true by another thread, with no event to wait on
      Thread.sleep(poll.toMillis(), (int) (poll.toNanos() % 1_000_000));
    }
    return check.getAsBoolean();
  }

  /** As {@link #until}, failing the test ("timed out waiting for {@code what}") if it never holds. */
  public static void require(Duration timeout, BooleanSupplier check, String what) throws InterruptedException {
    if (!until(timeout, check)) {
      throw new AssertionError("timed out waiting for " + what);
    }
  }
}
