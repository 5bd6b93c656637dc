package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-CN loop: one pending scheduler job however many timers; jobs in order. No sleeping. */
class CnLoopTest {
  /** A scheduler that runs execute() inline and only records schedule() until the test fires it. */
  static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
    final List<Runnable> scheduled = new ArrayList<>();
    final List<Long> delays = new ArrayList<>();
    int cancelled;

    RecordingScheduler() {
      super(0);
    }

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      scheduled.add(command);
      delays.add(unit.toMillis(delay));
      return new ScheduledFuture<Object>() {
        @Override public long getDelay(TimeUnit u) { return 0; }
        @Override public int compareTo(Delayed o) { return 0; }
        @Override public boolean cancel(boolean b) { cancelled++; return true; }
        @Override public boolean isCancelled() { return false; }
        @Override public boolean isDone() { return false; }
        @Override public Object get() { return null; }
        @Override public Object get(long t, TimeUnit u) { return null; }
      };
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    Runnable last() {
      return scheduled.get(scheduled.size() - 1);
    }
  }

  static final class FakeClock extends Clock {
    long now = 1_000_000;

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return Instant.ofEpochMilli(now); }
    @Override public long millis() { return now; }
  }

  static final class Counting extends CnLoop.Timed {
    int fired;

    @Override
    void onTimer() {
      fired++;
    }
  }

  @Test
  void arm_manyTimers_oneSchedulerJob_earliestFirst_eachFiresWhenDue() {
    RecordingScheduler s = new RecordingScheduler();
    FakeClock clock = new FakeClock();
    CnLoop loop = new CnLoop("cn", s, clock);
    Counting a = new Counting();
    Counting b = new Counting();
    Counting c = new Counting();
    loop.post(() -> {
      loop.arm(a, 5000);
      loop.arm(b, 1000); // earlier: re-arms the one job
      loop.arm(c, 3000); // later: no new job
    });
    assertThat(s.delays).containsExactly(5000L, 1000L);
    assertThat(s.cancelled).isEqualTo(1);
    assertThat(loop.armedCount()).isEqualTo(3);

    clock.now += 1000;
    s.last().run();
    assertThat(b.fired).isEqualTo(1);
    assertThat(a.fired + c.fired).isZero();
    assertThat(s.delays.get(s.delays.size() - 1)).isEqualTo(2000L); // next: c

    clock.now += 4000;
    s.last().run();
    assertThat(a.fired).isEqualTo(1);
    assertThat(c.fired).isEqualTo(1);
    assertThat(loop.armedCount()).isZero();
  }

  @Test
  void disarm_beforeDue_neverFires() {
    RecordingScheduler s = new RecordingScheduler();
    FakeClock clock = new FakeClock();
    CnLoop loop = new CnLoop("cn", s, clock);
    Counting a = new Counting();
    loop.post(() -> loop.arm(a, 100));
    loop.post(() -> loop.disarm(a));
    clock.now += 100;
    s.last().run();
    assertThat(a.fired).isZero();
  }

  @Test
  void post_afterStop_isDropped() {
    RecordingScheduler s = new RecordingScheduler();
    CnLoop loop = new CnLoop("cn", s, new FakeClock());
    List<String> ran = new ArrayList<>();
    loop.post(() -> ran.add("a"));
    loop.stop();
    loop.post(() -> ran.add("b"));
    assertThat(ran).containsExactly("a");
  }

  @Test
  void stopWithLast_duringAJob_runsLastAfterIt_andDropsTheJobsWaiting() {
    CnLoop loop = new CnLoop("cn", new RecordingScheduler(), new FakeClock());
    List<String> ran = new ArrayList<>();
    loop.post(() -> {
      loop.post(() -> ran.add("waiting"));
      loop.stop(() -> ran.add("last"));
      ran.add("running");
    });
    loop.post(() -> ran.add("after"));
    loop.stop(() -> ran.add("second last"));
    assertThat(ran).containsExactly("running", "last");
  }

  @Test
  void stopWithLast_idle_runsLastOnTheLoop() {
    CnLoop loop = new CnLoop("cn", new RecordingScheduler(), new FakeClock());
    List<String> ran = new ArrayList<>();
    loop.stop(() -> ran.add("last"));
    loop.post(() -> ran.add("after"));
    assertThat(ran).containsExactly("last");
    assertThat(loop.isStopped()).isTrue();
  }
}
