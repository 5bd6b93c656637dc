package com.joyent.mockcloud.triton;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Bounds how many outbound requests of the whole process are in flight at once. Without it,
 * thousands of CNs heartbeating in the same second open thousands of pooled connections,
 * each with its buffers; with it, a few dozen connections carry everything, reused. Requests
 * over the limit wait, each {@link Lane} in FIFO order, and a freed place goes to the most
 * urgent lane first; nothing blocks a thread. Registrations and bulk requests never take the
 * last quarter of the places, so a heartbeat never waits for a slow VM sync or a fleet's
 * registration to finish. A gate made by
 * {@link #singleLane} has no such reserve: every request is bulk and may take every place
 * (the net-agents' gate per NAPI, whose requests are all of one kind). Thread-safe.
 */
public final class RequestGate {
  /**
   * Who goes first when places are scarce: heartbeats and a CN's other reports in the order they
   * came (each CN has at most one of them waiting), both before bulk work.
   */
  public enum Lane {
    /**
     * A CN's heartbeat: before bulk work, and dropped (failed unsent) once it waited longer than
     * the gate's max wait, since the next one is due by then. A CN that misses heartbeats for
     * 11 s is marked unknown.
     */
    HEARTBEAT,
    /**
     * The rest of a CN's serial CNAPI queue (sysinfo, agents, status): a heartbeat queued
     * behind one of these waits for it, so they must not wait behind bulk work. At most one
     * per CN, never dropped.
     */
    REPORT,
    /**
     * A CN's registration: its sysinfo and agents before it heartbeats. It holds no heartbeat
     * back (its CN has none yet), so it goes after heartbeats and reports, and like bulk work
     * never takes the last quarter of the places: 10,000 CNs registering at once (a fresh
     * start) must not starve the heartbeats of those already registered.
     */
    REGISTRATION,
    /** Everything else (vm-agent syncs and updates, tools). */
    BULK
  }

  private final int limit;
  private final int bulkLimit;
  private final long maxWaitNanos;
  private final EnumMap<Lane, ArrayDeque<Waiter>> waiting = new EnumMap<>(Lane.class);
  private final LongSupplier nanos; // waiters' ages: System::nanoTime, or a test's clock
  private int active;
  private int maxActive;

  /** A request waiting for a place; a heartbeat gives up (fails) if it waited longer than the limit. */
  private record Waiter(Runnable start, Runnable expire, long since) {}

  public RequestGate(int limit) {
    this(limit, Duration.ofSeconds(5));
  }

  /**
   * @param maxWait how long a heartbeat may wait for a place; past it, it fails without
   *     being sent (when an API hangs, stale heartbeats are dropped rather than piled up)
   */
  public RequestGate(int limit, Duration maxWait) {
    this(limit, maxWait, System::nanoTime);
  }

  /** {@link #RequestGate(int, Duration)} reading {@code nanos} (tests move it). */
  RequestGate(int limit, Duration maxWait, LongSupplier nanos) {
    this(limit, Math.max(1, limit - limit / 4), maxWait, nanos);
  }

  private RequestGate(int limit, int bulkLimit, Duration maxWait, LongSupplier nanos) {
    if (limit < 1) {
      throw new IllegalArgumentException("request gate limit must be >= 1, got " + limit);
    }
    this.limit = limit;
    this.bulkLimit = bulkLimit;
    this.maxWaitNanos = maxWait.toNanos();
    this.nanos = nanos;
    for (Lane l : Lane.values()) {
      waiting.put(l, new ArrayDeque<>());
    }
  }

  /** A gate whose requests all go in one FIFO and may take all {@code limit} places. */
  public static RequestGate singleLane(int limit) {
    return new RequestGate(limit, limit, Duration.ofSeconds(5), System::nanoTime);
  }

  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request) {
    return submit(request, Lane.BULK);
  }

  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request, Lane lane) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletableFuture<T> f;
      try {
        f = request.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((v, e) -> {
        release();
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    };
    Runnable expire = () -> result.completeExceptionally(
        new TimeoutException("waited too long for a free outbound connection"));
    boolean now;
    synchronized (this) {
      now = active < (lane == Lane.BULK || lane == Lane.REGISTRATION ? bulkLimit : limit);
      if (now) {
        active++;
        maxActive = Math.max(maxActive, active);
      } else {
        waiting.get(lane).addLast(new Waiter(start, expire, nanos.getAsLong()));
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  private void release() {
    List<Waiter> expired = new ArrayList<>();
    Waiter next;
    synchronized (this) {
      active--;
      long now = nanos.getAsLong();
      // Only heartbeats expire: one that waited 5 s is stale and the next one is due, while a
      // registration, a status or a sync is still wanted however late (and each CN has at
      // most one report waiting, so that queue is bounded by the fleet).
      ArrayDeque<Waiter> heartbeats = waiting.get(Lane.HEARTBEAT);
      while (!heartbeats.isEmpty() && now - heartbeats.peekFirst().since() > maxWaitNanos) {
        expired.add(heartbeats.pollFirst());
      }
      // Between heartbeats and reports, the one that waited longer: a report waiting at the gate
      // holds back its CN's next heartbeat (the serial queue), so a stream of other CNs'
      // heartbeats (2,000 a second at 10,000 CNs) must not starve it.
      ArrayDeque<Waiter> reports = waiting.get(Lane.REPORT);
      Waiter hb = heartbeats.peekFirst();
      Waiter report = reports.peekFirst();
      if (hb != null && (report == null || hb.since() - report.since() <= 0)) {
        next = heartbeats.pollFirst();
      } else {
        next = reports.pollFirst();
      }
      if (next == null && active < bulkLimit) {
        next = waiting.get(Lane.REGISTRATION).pollFirst();
        if (next == null) {
          next = waiting.get(Lane.BULK).pollFirst();
        }
      }
      if (next != null) {
        active++;
      }
    }
    expired.forEach(w -> w.expire().run());
    if (next != null) {
      next.start().run(); // the place passes straight to the next request
    }
  }

  public synchronized int inFlight() {
    return active;
  }

  /** The most requests that were in flight at once (for tests and stats). */
  public synchronized int maxInFlight() {
    return maxActive;
  }

  /** Requests waiting in {@code lane}. */
  public synchronized int waiting(Lane lane) {
    return waiting.get(lane).size();
  }

  public synchronized int waiting() {
    return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
  }
}
