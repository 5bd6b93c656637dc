package com.joyent.mockcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualTimerTest {
  private final ManualTimer timer = new ManualTimer();
  private final List<String> ran = new ArrayList<>();

  @Test
  void advance_runsDueTasksInOrder_atTheirOwnTime_andLeavesLaterOnes() {
    timer.schedule(() -> ran.add("b@" + timer.nanoTime()), 2, TimeUnit.SECONDS);
    timer.schedule(() -> ran.add("a@" + timer.nanoTime()), 1, TimeUnit.SECONDS);
    timer.schedule(() -> ran.add("c"), 5, TimeUnit.SECONDS);
    timer.advance(Duration.ofSeconds(3));
    assertThat(ran).containsExactly("a@1000000000", "b@2000000000");
    assertThat(timer.nanoTime()).isEqualTo(3_000_000_000L);
    assertThat(timer.untilNext()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aTaskScheduledByATask_runsInTheSameAdvance_whenItFallsDue() {
    timer.schedule(() -> {
      ran.add("first");
      timer.schedule(() -> ran.add("second@" + timer.nanoTime()), 500, TimeUnit.MILLISECONDS);
    }, 1, TimeUnit.SECONDS);
    timer.advance(Duration.ofSeconds(2));
    assertThat(ran).containsExactly("first", "second@1500000000");
  }

  @Test
  void aCancelledTask_neverRuns_andExecuteRunsOnRunDue() {
    Future<?> f = timer.schedule(() -> ran.add("cancelled"), 1, TimeUnit.SECONDS);
    f.cancel(false);
    timer.execute(() -> ran.add("now"));
    assertThat(timer.pending()).isEqualTo(1);
    timer.runDue();
    timer.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("now");
    assertThat(timer.untilNext()).isNull();
  }

  @Test
  void dueIn_listsWhatWaits_soonestFirst_withoutCancelledOnes() {
    timer.schedule(() -> {}, 3, TimeUnit.SECONDS);
    timer.schedule(() -> {}, 1, TimeUnit.SECONDS).cancel(false);
    timer.schedule(() -> {}, 2, TimeUnit.SECONDS);
    timer.advance(Duration.ofMillis(500));
    assertThat(timer.dueIn()).containsExactly(Duration.ofMillis(1500), Duration.ofMillis(2500));
  }

  @Test
  void clock_movesWithTheTimer() {
    long before = timer.clock().millis();
    timer.advance(Duration.ofMillis(1234));
    assertThat(timer.clock().millis() - before).isEqualTo(1234);
  }
}
