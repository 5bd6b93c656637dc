package com.joyent.mockcloud.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A UTC wall clock a test moves with {@link #advance(Duration)}. {@link #frozen()} stands still
 * otherwise (the sandbox's unit tests); {@link #realTimeWithOffset()} runs with real time
 * (end-to-end tests, where mock CNs on real timers talk to the sandbox) and jumps ahead when
 * advanced.
 */
public final class TestClock extends Clock {
  private static final Instant DEFAULT_START = Instant.parse("2026-11-25T10:00:00Z");
  private final LongSupplier baseMillis;
  private final AtomicLong offsetMillis = new AtomicLong();

  private TestClock(LongSupplier baseMillis) {
    this.baseMillis = baseMillis;
  }

  /** Stands at 2026-11-25T10:00:00Z until advanced. */
  public static TestClock frozen() {
    return frozenAt(DEFAULT_START);
  }

  public static TestClock frozenAt(Instant start) {
    long at = start.toEpochMilli();
    return new TestClock(() -> at);
  }

  /** Real time plus whatever the test has advanced it by. */
  public static TestClock realTimeWithOffset() {
    return new TestClock(System::currentTimeMillis);
  }

  public void advance(Duration d) {
    offsetMillis.addAndGet(d.toMillis());
  }

  @Override
  public long millis() {
    return baseMillis.getAsLong() + offsetMillis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
