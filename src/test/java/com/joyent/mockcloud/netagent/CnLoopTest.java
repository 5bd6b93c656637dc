package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.testing.ManualTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-CN loop: one pending timer job however many timers; jobs in order. On manual time. */
class CnLoopTest {
  private final ManualTimer time = new ManualTimer();
  private final CnLoop loop = new CnLoop("cn", time);

  static final class Counting extends CnLoop.Timed {
    int fired;

    @Override
    void onTimer() {
      fired++;
    }
  }

  @Test
  void arm_manyTimers_oneTimerJob_earliestFirst_eachFiresWhenDue() {
    Counting a = new Counting();
    Counting b = new Counting();
    Counting c = new Counting();
    loop.post(() -> {
      loop.arm(a, 5000);
      loop.arm(b, 1000); // earlier: re-arms the one job
      loop.arm(c, 3000); // later: no new job
    });
    time.runDue();
    assertThat(time.pending()).isEqualTo(1);
    assertThat(time.untilNext()).isEqualTo(Duration.ofMillis(1000));
    assertThat(loop.armedCount()).isEqualTo(3);

    time.advance(Duration.ofMillis(1000));
    assertThat(b.fired).isEqualTo(1);
    assertThat(a.fired + c.fired).isZero();
    assertThat(time.pending()).isEqualTo(1);
    assertThat(time.untilNext()).isEqualTo(Duration.ofMillis(2000)); // next: c

    time.advance(Duration.ofMillis(4000));
    assertThat(a.fired).isEqualTo(1);
    assertThat(c.fired).isEqualTo(1);
    assertThat(loop.armedCount()).isZero();
    assertThat(time.pending()).isZero();
  }

  @Test
  void disarm_beforeDue_neverFires() {
    Counting a = new Counting();
    loop.post(() -> loop.arm(a, 100));
    loop.post(() -> loop.disarm(a));
    time.advance(Duration.ofMillis(100));
    assertThat(a.fired).isZero();
  }

  @Test
  void jobs_runInTheOrderPosted_onTheTimer() {
    List<String> ran = new ArrayList<>();
    loop.post(() -> ran.add("a"));
    loop.post(() -> ran.add("b"));
    assertThat(ran).as("nothing runs on the posting thread").isEmpty();
    time.runDue();
    assertThat(ran).containsExactly("a", "b");
  }

  @Test
  void post_afterStop_isDropped() {
    List<String> ran = new ArrayList<>();
    loop.post(() -> ran.add("a"));
    time.runDue();
    loop.stop();
    loop.post(() -> ran.add("b"));
    time.runDue();
    assertThat(ran).containsExactly("a");
  }

  @Test
  void stopWithLast_duringAJob_runsLastAfterIt_andDropsTheJobsWaiting() {
    List<String> ran = new ArrayList<>();
    loop.post(() -> {
      loop.post(() -> ran.add("waiting"));
      loop.stop(() -> ran.add("last"));
      ran.add("running");
    });
    time.runDue();
    loop.post(() -> ran.add("after"));
    loop.stop(() -> ran.add("second last"));
    time.runDue();
    assertThat(ran).containsExactly("running", "last");
  }

  @Test
  void stopWithLast_idle_runsLastOnTheLoop() {
    List<String> ran = new ArrayList<>();
    loop.stop(() -> ran.add("last"));
    loop.post(() -> ran.add("after"));
    time.runDue();
    assertThat(ran).containsExactly("last");
    assertThat(loop.isStopped()).isTrue();
  }
}
