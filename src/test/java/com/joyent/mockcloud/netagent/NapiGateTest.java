package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.fleet.DaemonThreads;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.RequestGate;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a net-agent's requests pass its NAPI's gate: on the worker, and never stuck when it is gone. */
class NapiGateTest {
  private static final URI NAPI = URI.create("http://127.0.0.1:9"); // never contacted
  private final OutboundHttp client = OutboundHttp.standalone();

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void gated_startsTheRequestOnTheWorker_notOnTheCallersThread() throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-napi-worker"));
    try {
      JsonHttpClient http = JsonHttpClient.to(client, NAPI, "NAPI").userAgent("t").timeout(Duration.ofSeconds(1))
          .gate(RequestGate.singleLane(2)).startOn(worker).build();
      CompletableFuture<String> ranOn = http.gated(() -> CompletableFuture.completedFuture(Thread.currentThread().getName()));
      assertThat(ranOn.get(5, TimeUnit.SECONDS)).isEqualTo("test-napi-worker");
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void gated_workerShutDown_failsTheRequestAndFreesItsPlace() {
    ExecutorService worker = Executors.newSingleThreadExecutor();
    worker.shutdownNow();
    RequestGate gate = RequestGate.singleLane(1);
    JsonHttpClient http = JsonHttpClient.to(client, NAPI, "NAPI").userAgent("t").timeout(Duration.ofSeconds(1))
        .gate(gate).startOn(worker).build();
    CompletableFuture<String> f = http.gated(() -> CompletableFuture.completedFuture("sent"));
    assertThat(f).isCompletedExceptionally();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void napiGate_oneGatePerNapi_sharedByEveryNetAgent_firstLimitWins() {
    String url = "http://127.0.0.1:9/" + UUID.randomUUID();
    try (DaemonThreads threads = new DaemonThreads(1, 1)) {
      RequestGate first = threads.napiGate(URI.create(url), 3);
      assertThat(threads.napiGate(URI.create(url), 50)).isSameAs(first);
      assertThat(threads.napiGate(URI.create(url + "/other"), 3)).isNotSameAs(first);
    }
  }
}
