package com.joyent.mockcloud.triton;

import java.util.ArrayDeque;
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
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private final ArrayDeque<Runnable> waitingUrgent = new ArrayDeque<>();
  private int active;

  public RequestGate(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("request gate limit must be >= 1, got " + limit);
    }
    this.limit = limit;
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
    boolean now;
    synchronized (this) {
      now = active < limit;
      if (now) {
        active++;
      } else {
        (urgent ? waitingUrgent : waiting).addLast(start);
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waitingUrgent.isEmpty() ? waiting.pollFirst() : waitingUrgent.pollFirst();
      if (next == null) {
        active--;
      }
    }
    if (next != null) {
      next.run(); // the permit passes straight to the next request
    }
  }

  public synchronized int waiting() {
    return waiting.size() + waitingUrgent.size();
  }
}
