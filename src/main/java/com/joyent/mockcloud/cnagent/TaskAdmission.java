package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.http.RestError;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds on cn-agent tasks in flight, per CN and for the whole process, so a flood of
 * {@code POST /tasks} is refused ({@code 503}, as a paused agent) instead of holding ever more
 * history entries, contexts, parsed payloads and open exchanges. One instance is shared by
 * every CN of a process (run-servers makes it in {@code fleet/DaemonThreads} and passes it to
 * each {@link CnAgent}); each CN counts its own tasks. The limits and why: docs/cn-agent.md.
 *
 * <p>A task holds a {@link Slot} from admission until its answer is complete (finish, error,
 * crash or timeout: {@link TaskRunner} completes the answer exactly once); releasing a slot is
 * idempotent, so it is given back exactly once however many paths try.
 */
public final class TaskAdmission {
  /** Tasks one CN may have in flight. */
  public static final int DEFAULT_PER_CN = 32;
  /** Tasks all CNs of the process together may have in flight. */
  public static final int DEFAULT_PER_PROCESS = 4096;

  private final int perCn;
  private final int perProcess;
  private final AtomicInteger inFlight = new AtomicInteger();

  public TaskAdmission() {
    this(DEFAULT_PER_CN, DEFAULT_PER_PROCESS);
  }

  public TaskAdmission(int perCn, int perProcess) {
    if (perCn < 1 || perProcess < 1) {
      throw new IllegalArgumentException("task limits must be positive: " + perCn + ", " + perProcess);
    }
    this.perCn = perCn;
    this.perProcess = perProcess;
  }

  public int perCn() {
    return perCn;
  }

  public int perProcess() {
    return perProcess;
  }

  /** Tasks in flight on all CNs sharing this admission. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Takes a place for one more task of the CN whose tasks {@code cnInFlight} counts.
   *
   * @throws RestError 503 {@code ServiceUnavailableError} when that CN or the process is full
   */
  Slot admit(AtomicInteger cnInFlight) {
    if (!increment(cnInFlight, perCn)) {
      throw busy(perCn + "");
    }
    if (!increment(inFlight, perProcess)) {
      cnInFlight.decrementAndGet();
      throw busy(perProcess + " in this process");
    }
    return new Slot(cnInFlight);
  }

  private static RestError busy(String count) {
    return RestError.serviceUnavailable("CN Agent has too many tasks in flight (" + count + "); try again later");
  }

  /** Adds one unless that would pass {@code limit}. */
  private static boolean increment(AtomicInteger counter, int limit) {
    while (true) {
      int n = counter.get();
      if (n >= limit) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** One admitted task's place; {@link #release()} gives it back, once. */
  final class Slot {
    private final AtomicInteger cnInFlight;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(AtomicInteger cnInFlight) {
      this.cnInFlight = cnInFlight;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        cnInFlight.decrementAndGet();
        inFlight.decrementAndGet();
      }
    }
  }
}
