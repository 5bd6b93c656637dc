package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A fake CNAPI that records what mock CNs send (spec cn-agent.md §7 setup): sysinfo 200,
 * the rest 204. Tests can make sysinfo fail, delay heartbeats, or refuse everything, and read
 * the recorded requests with their arrival times and the peak concurrency per server.
 */
final class RecordingCnapi implements Closeable {
  /** One request as it arrived; {@code clientPort} tells which TCP connection carried it (0 if unknown). */
  record Received(String method, String path, Object body, Map<String, String> headers, long atMillis, int clientPort) {}

  private final HttpListeners listeners = new HttpListeners("recording-cnapi", 1);
  private final HttpListeners.Listener listener;
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
  private final List<Received> received = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  volatile int sysinfoFailuresLeft;
  volatile int agentsFailuresLeft;
  volatile RestResponse sysinfoFailure = RestResponse.of(500, Map.of("code", "InternalError", "message", "boom"));
  volatile Duration heartbeatDelay = Duration.ZERO;
  /** Answers sysinfo registrations (200) this late; 0: at once, with {@link #sysinfoFailuresLeft} applied. */
  volatile Duration sysinfoDelay = Duration.ZERO;
  volatile boolean down;
  /** Heartbeats are held unanswered until {@link #releaseHeldHeartbeats()}. */
  volatile boolean holdHeartbeats;
  private final Queue<CompletableFuture<RestResponse>> held = new ConcurrentLinkedQueue<>();
  /** What stamps an arrival ({@link Received#atMillis}); a test on manual time sets its clock. */
  volatile LongSupplier clockMillis = System::currentTimeMillis;
  /** Requests refused (503) while {@link #down}: method and path, with arrival time. */
  private final List<Received> refused = new ArrayList<>();

  RecordingCnapi() {
    RestRouter r = new RestRouter("cnapi/1.26.4");
    r.route("POST", "/servers/{uuid}/sysinfo", req -> {
      long d = sysinfoDelay.toMillis();
      if (d == 0) {
        return record(req, () -> {
          if (sysinfoFailuresLeft > 0) {
            sysinfoFailuresLeft--;
            return sysinfoFailure;
          }
          return RestResponse.of(200, null);
        });
      }
      return delayed(req, d, RestResponse.of(200, null));
    });
    r.route("POST", "/servers/{uuid}", req -> record(req, () -> {
      if (agentsFailuresLeft > 0) {
        agentsFailuresLeft--;
        return RestResponse.of(500, Map.of("code", "InternalError", "message", "agents boom"));
      }
      return RestResponse.noContent();
    }));
    r.route("POST", "/servers/{uuid}/events/heartbeat", req -> {
      if (holdHeartbeats) {
        CompletableFuture<RestResponse> f = new CompletableFuture<>();
        enter(req);
        held.add(f);
        return f;
      }
      long d = heartbeatDelay.toMillis();
      if (d == 0) {
        return record(req, RestResponse::noContent);
      }
      return delayed(req, d, RestResponse.noContent());
    });
    r.route("POST", "/servers/{uuid}/events/status", req -> record(req, RestResponse::noContent));
    listener = listeners.open("127.0.0.1", 0, r);
  }

  /** Answers (204) every heartbeat held so far; returns how many. */
  int releaseHeldHeartbeats() {
    int n = 0;
    for (CompletableFuture<RestResponse> f; (f = held.poll()) != null; n++) {
      inFlight.decrementAndGet();
      f.complete(RestResponse.noContent());
    }
    return n;
  }

  String url() {
    return listener.baseUrl();
  }

  private void enter(RestRequest req) {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    req.exchange().getRequestHeaders().forEach(h -> headers.put(h.getHeaderName().toString().toLowerCase(), h.getFirst()));
    synchronized (received) {
      received.add(new Received(req.method(), req.path(), req.body(), headers, clockMillis.getAsLong(),
          req.exchange().getSourceAddress().getPort()));
    }
  }

  /** Records the request on arrival and answers {@code answer} after {@code delayMs}. */
  private CompletionStage<RestResponse> delayed(RestRequest req, long delayMs, RestResponse answer) {
    CompletableFuture<RestResponse> f = new CompletableFuture<>();
    enter(req);
    delays.schedule(() -> {
      inFlight.decrementAndGet();
      f.complete(answer);
    }, delayMs, TimeUnit.MILLISECONDS);
    return f;
  }

  private CompletionStage<RestResponse> record(RestRequest req, java.util.function.Supplier<RestResponse> answer) {
    if (down) {
      synchronized (refused) {
        refused.add(new Received(req.method(), req.path(), req.body(), Map.of(), clockMillis.getAsLong(), 0));
      }
      throw new RestError(503, "ServiceUnavailableError", "down");
    }
    enter(req);
    try {
      return CompletableFuture.completedFuture(answer.get());
    } finally {
      inFlight.decrementAndGet();
    }
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  List<Received> received(Predicate<Received> p) {
    return received().stream().filter(p).toList();
  }

  List<Received> refused() {
    synchronized (refused) {
      return List.copyOf(refused);
    }
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  void clear() {
    synchronized (received) {
      received.clear();
    }
  }

  @Override
  public void close() {
    releaseHeldHeartbeats();
    listener.close();
    listeners.close();
    delays.shutdownNow();
  }
}
