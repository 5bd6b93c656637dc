package com.joyent.mockcloud.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs work on a shared pool so that work with the same key runs one at a time, in
 * submission order, while different keys run in parallel (okhttp Dispatcher's per-host
 * limit, with a limit of one). Work may be asynchronous: the key is held until the stage it
 * returns completes. A null key means "no ordering". Holds nothing for idle keys.
 */
public final class KeyedSerialExecutor {
  private final Executor pool;
  private final ConcurrentHashMap<Object, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

  public KeyedSerialExecutor(Executor pool) {
    this.pool = pool;
  }

  public <T> CompletableFuture<T> submit(Object key, Supplier<? extends CompletionStage<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (key == null) {
      pool.execute(() -> runInto(work, result));
      return result;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> previous = tails.put(key, done);
    Runnable start = () -> pool.execute(() -> runInto(work, result));
    if (previous == null) {
      start.run();
    } else {
      previous.whenComplete((v, e) -> start.run());
    }
    result.whenComplete((v, e) -> {
      done.complete(null);
      tails.remove(key, done); // only if nothing queued behind us
    });
    return result;
  }

  private static <T> void runInto(Supplier<? extends CompletionStage<T>> work, CompletableFuture<T> result) {
    try {
      work.get().whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    } catch (Throwable t) {
      result.completeExceptionally(t);
    }
  }

  /** Keys with work running or queued; for tests and metrics. */
  public int activeKeys() {
    return tails.size();
  }
}
