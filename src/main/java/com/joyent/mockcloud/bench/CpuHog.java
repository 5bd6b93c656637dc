package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.util.NamedThreads;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The competing busy process of {@code bench --cpu-hog PERCENT} (run as the hidden
 * {@code bench cpu-hog PERCENT} in a JVM of its own): takes PERCENT of one core, spread over
 * ceil(PERCENT / 100) threads, each working then sleeping in every 100 ms period (at 250: three
 * threads, each busy 83 ms of 100). It stops when its parent (the bench) is gone or after
 * {@code maxSeconds}, so it never outlives a bench that died without stopping it.
 */
public final class CpuHog {
  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** What the bench waits for in the hog's output before it starts the clock. */
  static final String READY = "cpu-hog: running";

  private static volatile long sink;
  private static volatile boolean stopping;

  private CpuHog() {}

  /** Busy threads for {@code percent} of a core; returns when the parent is gone or the time is up. */
  public static int run(int percent, long maxSeconds, PrintWriter out) throws InterruptedException {
    if (percent < 1) {
      throw new IllegalArgumentException("PERCENT must be at least 1, got " + percent);
    }
    int threads = (percent + 99) / 100;
    double duty = percent / (100.0 * threads);
    long busy = Math.round(PERIOD_NANOS * duty);
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    List<Thread> started = new ArrayList<>();
    NamedThreads hogs = NamedThreads.bench("cpu-hog");
    for (int i = 0; i < threads; i++) {
      Thread t = hogs.newThread(() -> spin(busy));
      t.start();
      started.add(t);
    }
    out.printf("%s: %d thread(s), each busy for %.1f ms of CPU in every 100 ms (%d %% of one core)%n", READY, threads,
        busy / 1e6, percent);
    out.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    while (System.nanoTime() < deadline && parent.map(ProcessHandle::isAlive).orElse(false)) {
      Thread.sleep(250);
    }
    stopping = true;
    for (Thread t : started) {
      t.join(1000);
    }
    return 0;
  }

  /**
   * In every 100 ms period: work until this thread has had {@code busy} ns of CPU in the period
   * (or the period is over), then sleep to its end. Counting CPU time rather than wall time keeps
   * the hog's demand when the machine is busy: it stays runnable until it got its share, as a
   * competing process would, instead of giving up whatever the scheduler did not grant it.
   */
  private static void spin(long busy) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuClock = threads.isCurrentThreadCpuTimeSupported();
    long x = Thread.currentThread().getId();
    long periodStart = System.nanoTime();
    while (!stopping) {
      long periodEnd = periodStart + PERIOD_NANOS;
      long cpu0 = cpuClock ? threads.getCurrentThreadCpuTime() : 0;
      while (true) {
        for (int i = 0; i < 4096; i++) {
          x = x * 6364136223846793005L + 1442695040888963407L; // an LCG step: work the JIT cannot drop
        }
        long now = System.nanoTime();
        long used = cpuClock ? threads.getCurrentThreadCpuTime() - cpu0 : now - periodStart;
        if (used >= busy || now >= periodEnd) {
          break;
        }
      }
      sink = x;
      long now = System.nanoTime();
      if (periodEnd > now) {
        LockSupport.parkNanos(periodEnd - now);
        periodStart = periodEnd;
      } else {
        periodStart = now; // the period ran out (busy machine): start the next one now, no catching up
      }
    }
  }
}
