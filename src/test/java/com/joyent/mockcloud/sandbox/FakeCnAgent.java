package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.json.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny cn-agent on 127.0.0.1:0 that records every request and answers from a script:
 * by default {@code 200 {}}; {@link #answer} sets a reply per task (or path), and
 * {@link #hold} keeps a task's request open until the test completes the returned future.
 */
final class FakeCnAgent implements AutoCloseable {
  /** One received request. */
  record Received(String method, String path, Map<String, String> headers, Map<String, Object> body) {
    String task() {
      return (String) body.get("task");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> params() {
      return (Map<String, Object>) body.get("params");
    }
  }

  /** A scripted reply. */
  record Answer(int status, Object body) {}

  private final HttpListeners listeners = new HttpListeners("fake-cn-agent", 1);
  private final HttpListeners.Listener listener;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Answer>> held = new ConcurrentHashMap<>();

  FakeCnAgent() {
    this.listener = listeners.open("127.0.0.1", 0, this::handle);
  }

  int port() {
    return listener.port();
  }

  String ip() {
    return "127.0.0.1";
  }

  void answer(String taskOrPath, int status, Object body) {
    answers.put(taskOrPath, new Answer(status, body));
  }

  /** The next request with this task name waits for the returned future. */
  CompletableFuture<Answer> hold(String task) {
    CompletableFuture<Answer> f = new CompletableFuture<>();
    held.put(task, f);
    return f;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Waits (test thread only) for the next request. */
  Received take() throws InterruptedException {
    Received r = queue.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("cn-agent received nothing in 10 s");
    }
    return r;
  }

  private void handle(HttpServerExchange ex) {
    ex.dispatch(SameThreadExecutor.INSTANCE, () -> ex.getRequestReceiver().receiveFullBytes((e, bytes) -> {
      Map<String, String> headers = new LinkedHashMap<>();
      e.getRequestHeaders().forEach(h -> headers.put(h.getHeaderName().toString().toLowerCase(), h.getFirst()));
      Map<String, Object> body = bytes.length == 0 ? Map.of() : Json.parseObject(bytes);
      Received r = new Received(e.getRequestMethod().toString(), e.getRequestPath(), headers, body);
      received.add(r);
      queue.add(r);
      String key = r.path().equals("/tasks") ? r.task() : r.path();
      CompletableFuture<Answer> h = key == null ? null : held.remove(key);
      CompletableFuture<Answer> reply = h != null ? h
          : CompletableFuture.completedFuture(answers.getOrDefault(key, new Answer(200, Map.of())));
      // Keep the exchange open past this callback (Undertow would otherwise end it with 200).
      e.dispatch(SameThreadExecutor.INSTANCE, () -> { });
      reply.thenAccept(a -> e.getIoThread().execute(() -> write(e, a)));
    }));
  }

  private static void write(HttpServerExchange e, Answer a) {
    if (e.isResponseStarted() || e.isComplete()) {
      return; // the client went away (a held request released at close)
    }
    e.setStatusCode(a.status());
    if (a.body() == null) {
      e.endExchange();
      return;
    }
    byte[] bytes = Json.compactBytes(a.body());
    e.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    e.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  @Override
  public void close() {
    held.values().forEach(f -> f.complete(new Answer(500, Map.of("error", "agent closed"))));
    listener.close();
    listeners.close();
  }
}
