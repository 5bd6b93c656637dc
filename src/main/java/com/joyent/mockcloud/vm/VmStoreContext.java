package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every {@link ServerVms} of one {@link VmStore} shares, so a server costs only its own
 * fields: the disk seam, the clock, the executors and the striped VM locks.
 *
 * <p>Locks: {@link #lockFor} maps a VM uuid to one of {@value #STRIPES} fair-less reentrant
 * locks. The lock of a VM is held across load → change → write → cache update → event enqueue,
 * which serialises changes of one VM; different VMs (on any server) proceed in parallel except
 * on a stripe collision. A thread never holds two stripe locks (no lock ordering to get wrong).
 * Immutable after construction; thread-safe.
 */
final class VmStoreContext {
  static final int STRIPES = 1024;

  final VmFileSystem fs;
  final Clock clock;
  /** Runs event delivery and rescans; may block on disk. */
  final Executor executor;
  /** Only schedules (debounce, periodic ticks); never does I/O itself. May be null (no watching). */
  final ScheduledExecutorService scheduler;
  final Duration debounce;
  /** {@code <store start, epoch s>.<pid>}, the prefix of event ids. */
  final String eventIdPrefix;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  VmStoreContext(VmFileSystem fs, Clock clock, Executor executor, ScheduledExecutorService scheduler,
      Duration debounce) {
    this.fs = fs;
    this.clock = clock;
    this.executor = executor;
    this.scheduler = scheduler;
    this.debounce = debounce;
    this.eventIdPrefix = (clock.millis() / 1000) + "." + ProcessHandle.current().pid();
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  ReentrantLock lockFor(String vmUuid) {
    int h = vmUuid.hashCode();
    h ^= h >>> 16;
    return locks[h & (STRIPES - 1)];
  }

  String nowIso() {
    return JsValues.isoString(clock.millis());
  }
}
