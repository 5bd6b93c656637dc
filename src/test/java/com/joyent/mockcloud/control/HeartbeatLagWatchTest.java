package com.joyent.mockcloud.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One warning when heartbeats fall behind, one line when they are on time again; time is injected. */
class HeartbeatLagWatchTest {
  final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
  final HeartbeatLagWatch watch = new HeartbeatLagWatch(now::get);
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(HeartbeatLagWatch.class);

  Level before;

  @BeforeEach
  void capture() {
    before = logger.getLevel();
    logger.setLevel(Level.INFO); // the tests' logback configuration may keep INFO out
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logged);
    logger.setLevel(before);
  }

  void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  List<String> lines(Level level) {
    return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void lateHeartbeats_warnOnce_thenOneLineAfterThirtySecondsOnTime() {
    watch.observe(0.01);
    assertThat(logged.list).isEmpty();

    watch.observe(3.2);
    advance(1);
    watch.observe(7.5);
    watch.observe(0.01);
    assertThat(lines(Level.WARN)).hasSize(1).first().asString().contains("3.2 s behind");
    assertThat(watch.lateNow()).isTrue();

    advance(29); // 29 s since the last late one: not yet
    watch.observe(0.01);
    assertThat(lines(Level.INFO)).isEmpty();

    advance(2);
    watch.observe(0.01);
    watch.observe(0.01);
    assertThat(lines(Level.INFO)).containsExactly(
        "heartbeats are on time again after 32 s: 2 were over 2.0 s late, the worst 7.5 s");
    assertThat(watch.lateNow()).isFalse();

    watch.observe(2.5); // a new episode warns again
    assertThat(lines(Level.WARN)).hasSize(2);
  }

  @Test
  void lagsUnderTheThreshold_logNothing() {
    for (int i = 0; i < 100; i++) {
      watch.observe(1.9);
      advance(1);
    }
    assertThat(logged.list).isEmpty();
  }
}
