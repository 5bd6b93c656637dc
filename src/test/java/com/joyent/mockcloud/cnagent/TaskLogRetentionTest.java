package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.testing.ManualTimer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One CN's task-log directory kept bounded by count and by age, on disk, with a fixed clock. */
class TaskLogRetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;
  private final ManualTimer timers = new ManualTimer();
  /** Runs each prune at once on the calling thread, and counts them: each is one directory listing. */
  private final AtomicInteger prunes = new AtomicInteger();
  private final Executor countingDisk = job -> {
    prunes.incrementAndGet();
    job.run();
  };

  private Path log(Instant dispatched, int pid, String task) throws Exception {
    Path p = dir.resolve(dispatched.toEpochMilli() + "-" + pid + "-" + task + ".log");
    Files.writeString(p, "{\"msg\":\"task finished\"}\n");
    return p;
  }

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private TaskLogRetention retention(int maxFiles, Duration maxAge, Clock clock) {
    return new TaskLogRetention(dir, maxFiles, maxAge, clock, countingDisk, timers);
  }

  @Test
  void start_moreFilesThanTheBound_removesTheOldestDownToThreeQuarters() throws Exception {
    for (int i = 0; i < 9; i++) {
      log(NOW.minusSeconds(90 - i), 10_001 + i, "nop");
    }
    Files.writeString(dir.resolve("operator-notes.txt"), "not a task log");

    retention(8, Duration.ofDays(7), CLOCK).start();

    List<String> left = names();
    assertThat(left).hasSize(7).contains("operator-notes.txt");
    assertThat(left).filteredOn(n -> n.endsWith(".log")).hasSize(6)
        .allMatch(n -> Integer.parseInt(n.split("-")[1]) >= 10_004, "the six newest (pids 10004..10009)");
  }

  @Test
  void start_sameMillisecond_ordersByPidNumerically() throws Exception {
    log(NOW, 99_999, "nop"); // older task, shorter pid: a string sort would put it last
    log(NOW, 100_000, "nop");

    retention(1, Duration.ofDays(7), CLOCK).start();

    assertThat(names()).containsExactly(NOW.toEpochMilli() + "-100000-nop.log");
  }

  @Test
  void start_filesOlderThanMaxAge_areRemovedWhateverTheCount() throws Exception {
    Path eightDays = log(NOW.minus(Duration.ofDays(8)), 10_001, "machine_create");
    Path justOver = log(NOW.minus(Duration.ofDays(7)).minusMillis(1), 10_002, "nop");
    Path exactlyMaxAge = log(NOW.minus(Duration.ofDays(7)), 10_003, "nop");
    Path hourOld = log(NOW.minus(Duration.ofHours(1)), 10_004, "machine_boot");

    retention(200, Duration.ofDays(7), CLOCK).start();

    assertThat(eightDays).doesNotExist();
    assertThat(justOver).doesNotExist();
    assertThat(exactlyMaxAge).exists();
    assertThat(hourOld).exists();
  }

  @Test
  void written_listsTheDirectoryOnlyWhenTheCountPassesTheBound() throws Exception {
    TaskLogRetention r = retention(8, Duration.ofDays(7), CLOCK);
    r.start();
    assertThat(prunes).hasValue(1);

    for (int i = 1; i <= 20; i++) {
      log(NOW.plusMillis(i), 10_000 + i, "nop");
      r.written();
      assertThat(names()).as("after task %d", i).hasSizeLessThanOrEqualTo(8);
    }

    // 8 fit; the 9th prunes down to 6; then every 3rd write passes 8 again: tasks 9, 12, 15, 18.
    assertThat(prunes).hasValue(1 + 4);
    assertThat(names()).hasSize(8).first().isEqualTo(NOW.plusMillis(13).toEpochMilli() + "-10013-nop.log");
    assertThat(r.counted()).isEqualTo(8);
  }

  @Test
  void written_countOffBecauseFilesWereRemovedByHand_isSetRightByThePrune() throws Exception {
    TaskLogRetention r = retention(4, Duration.ofDays(7), CLOCK);
    r.start();
    for (int i = 1; i <= 4; i++) {
      log(NOW.plusMillis(i), 10_000 + i, "nop");
      r.written();
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p); // an operator cleans up
      }
    }
    log(NOW.plusMillis(5), 10_005, "nop");
    r.written(); // counted 5 > 4: a prune, which finds one file

    assertThat(names()).hasSize(1);
    assertThat(r.counted()).isEqualTo(1);
  }

  @Test
  void ageJob_idleCn_itsLogsGoWhenTheyExpire() throws Exception {
    Clock clock = timers.clock();
    TaskLogRetention r = new TaskLogRetention(dir, 200, Duration.ofMillis(300), clock, Runnable::run, timers);
    r.start();
    Path first = log(clock.instant(), 10_001, "nop");
    r.written();
    Path second = log(clock.instant().plusMillis(200), 10_002, "nop"); // dispatched later: expires later
    r.written();

    // No more tasks: only the age job can remove them, each as soon as it is older than 300 ms.
    timers.advance(Duration.ofMillis(300));
    assertThat(first).exists();
    timers.advance(Duration.ofMillis(1));
    assertThat(first).doesNotExist();
    assertThat(second).exists();
    timers.advance(Duration.ofMillis(199));
    assertThat(second).exists();
    timers.advance(Duration.ofMillis(1));
    assertThat(second).doesNotExist();
    assertThat(timers.pending()).as("no job once the directory is empty").isZero();
  }

  @Test
  void close_cancelsTheAgeJob() throws Exception {
    TaskLogRetention r = retention(200, Duration.ofDays(7), CLOCK);
    r.start();
    log(NOW, 10_001, "nop");
    r.written();
    assertThat(timers.pending()).isEqualTo(1);

    r.close();

    assertThat(timers.pending()).isZero();
  }

  @Test
  void missingDirectory_pruneDoesNothing() throws Exception {
    TaskLogRetention r = new TaskLogRetention(dir.resolve("deleted-server"), 4, Duration.ofDays(7), CLOCK,
        countingDisk, timers);
    r.start();
    assertThat(r.counted()).isZero();
    assertThat(timers.pending()).isZero();
  }

  @Test
  void nonPositiveBounds_areRejected() {
    assertThatThrownBy(() -> retention(0, Duration.ofDays(7), CLOCK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> retention(1, Duration.ZERO, CLOCK)).isInstanceOf(IllegalArgumentException.class);
  }
}
