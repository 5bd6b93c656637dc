package com.joyent.mockcloud.triton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Bounds how many outbound requests of the whole process are in flight at once. Without it,
 * thousands of CNs heartbeating in the same second open thousands of pooled connections,
 * each with its buffers; with it, a few dozen connections carry everything, reused. Requests
 * over the limit wait in FIFO order — urgent ones (heartbeats: a CN that misses them for 11 s
 * is marked unknown) ahead of the rest (bulk VM syncs, status reports); nothing blocks a
 * thread. Thread-safe.
 */
public final class RequestGate {
  private final int limit;
  private final long maxWaitNanos;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waitingUrgent = new ArrayDeque<>();
  private int active;

  /** A request waiting for a place; it gives up (fails) if it waited longer than the limit. */
  private record Waiter(Runnable start, Runnable expire, long since) {}

  public RequestGate(int limit) {
    this(limit, java.time.Duration.ofSeconds(5));
  }

  /**
   * @param maxWait how long an urgent request may wait for a place; past it, it fails without
   *     being sent (when an API hangs, stale heartbeats are dropped rather than piled up)
   */
  public RequestGate(int limit, java.time.Duration maxWait) {
    if (limit < 1) {
      throw new IllegalArgumentException("request gate limit must be >= 1, got " + limit);
    }
    this.limit = limit;
    this.maxWaitNanos = maxWait.toNanos();
  }

  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request) {
    return submit(request, false);
  }

  /** @param urgent served before every waiting request that is not */
  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request, boolean urgent) {
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
        new java.util.concurrent.TimeoutException("waited too long for a free outbound connection"));
    boolean now;
    synchronized (this) {
      now = active < limit;
      if (now) {
        active++;
      } else {
        (urgent ? waitingUrgent : waiting).addLast(new Waiter(start, expire, System.nanoTime()));
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
      long now = System.nanoTime();
      // Only urgent requests expire: a heartbeat that waited 5 s is stale and the next one is
      // due, while a registration or a sync is still wanted however late (and each CN has at
      // most one of them waiting, so that queue is bounded by the fleet).
      while (!waitingUrgent.isEmpty() && now - waitingUrgent.peekFirst().since() > maxWaitNanos) {
        expired.add(waitingUrgent.pollFirst());
      }
      next = waitingUrgent.isEmpty() ? waiting.pollFirst() : waitingUrgent.pollFirst();
      if (next == null) {
        active--;
      }
    }
    expired.forEach(w -> w.expire().run());
    if (next != null) {
      next.start().run(); // the permit passes straight to the next request
    }
  }

  public synchronized int waiting() {
    return waiting.size() + waitingUrgent.size();
  }
}
