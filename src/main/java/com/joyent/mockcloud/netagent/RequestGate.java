package com.joyent.mockcloud.netagent;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Bounds how many NAPI requests the whole process has in flight, whatever the number of CNs:
 * at most {@code limit} started and not yet finished, the rest wait in one FIFO. This, with
 * the random start spread, is what keeps 10,000 CNs starting together from stampeding NAPI.
 * One gate per NAPI base URL ({@link #forUrl}), shared by every {@link NetAgent} using it.
 *
 * <p>Threads and locks: the monitor guards {@code inFlight} and the queue and is never held
 * while a request starts or completes. Requests are started on the given executor, never on
 * the caller's thread (the JDK client may resolve a host name on the calling thread).
 */
final class RequestGate {
  private static final ConcurrentHashMap<String, RequestGate> GATES = new ConcurrentHashMap<>();

  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;
  private long maxSeen;

  RequestGate(int limit) {
    this.limit = limit;
  }

  /** The process-wide gate of one NAPI; the first caller's limit wins. */
  static RequestGate forUrl(String baseUrl, int limit) {
    return GATES.computeIfAbsent(baseUrl, u -> new RequestGate(limit));
  }

  /** Starts {@code request} on {@code executor} once a slot is free; the result completes with it. */
  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request, Executor executor) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      try {
        executor.execute(() -> {
          CompletableFuture<T> f;
          try {
            f = request.get();
          } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
          }
          f.whenComplete((v, err) -> {
            release();
            if (err != null) {
              result.completeExceptionally(err);
            } else {
              result.complete(v);
            }
          });
        });
      } catch (RuntimeException e) { // executor shut down
        release();
        result.completeExceptionally(e);
      }
    };
    boolean now;
    synchronized (this) {
      now = inFlight < limit;
      if (now) {
        inFlight++;
        maxSeen = Math.max(maxSeen, inFlight);
      } else {
        waiting.addLast(start);
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
      next = waiting.pollFirst();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run(); // the slot passes straight to the next waiter
    }
  }

  synchronized int inFlight() {
    return inFlight;
  }

  /** Highest number of requests seen in flight at once (for tests and stats). */
  synchronized long maxSeen() {
    return maxSeen;
  }
}
