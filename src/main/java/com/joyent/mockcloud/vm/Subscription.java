package com.joyent.mockcloud.vm;

import java.util.Map;
import java.util.function.Supplier;

/**
 * A listener registered with {@link ServerVms#subscribe}: the "ready" snapshot (every VM of the
 * server, read when asked for — always after the listener was registered, so no later change is
 * missed; a change may appear both in the snapshot and as an event) and {@link #close()} to stop
 * receiving events. Holds no VM data itself: thousands of long-lived subscriptions must not
 * keep parsed views alive.
 * Thread-safe; {@link #close()} is idempotent and may be called from a listener.
 */
public final class Subscription implements AutoCloseable {
  private final ServerEvents events;
  private final VmListener listener;
  private final Supplier<Map<String, Map<String, Object>>> initialVms;
  private final String readyDate;

  Subscription(ServerEvents events, VmListener listener, Supplier<Map<String, Map<String, Object>>> initialVms,
      String readyDate) {
    this.events = events;
    this.listener = listener;
    this.initialVms = initialVms;
    this.readyDate = readyDate;
  }

  /** uuid → loaded view, ordered by uuid (the {@code ready} event's {@code vms}). */
  public Map<String, Map<String, Object>> initialVms() {
    return initialVms.get();
  }

  /** ISO time of the snapshot (the {@code ready} event's {@code date}). */
  public String readyDate() {
    return readyDate;
  }

  @Override
  public void close() {
    events.remove(listener);
  }
}
