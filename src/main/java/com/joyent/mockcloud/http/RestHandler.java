package com.joyent.mockcloud.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers one route. Runs on an I/O thread: it must not block. Work that waits (a task, an
 * outbound call) returns an incomplete stage and completes it later from any thread; a
 * thrown or failed-with {@link RestError} becomes the error reply.
 */
@FunctionalInterface
public interface RestHandler {
  CompletionStage<RestResponse> handle(RestRequest request);

  /** Adapts a handler that answers at once. */
  static RestHandler sync(SyncRestHandler h) {
    return req -> CompletableFuture.completedFuture(h.handle(req));
  }

  @FunctionalInterface
  interface SyncRestHandler {
    RestResponse handle(RestRequest request);
  }
}
