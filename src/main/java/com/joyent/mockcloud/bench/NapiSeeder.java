package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the fleet's NICs in NAPI ({@code POST /nics}, a bounded number in flight) before
 * run-servers starts, as a datacenter that has run before would hold them. A NIC that already
 * exists (422) counts as present.
 */
final class NapiSeeder {
  private static final int IN_FLIGHT = 48;

  private NapiSeeder() {}

  /** @return how many NICs NAPI now holds of {@code nics}; throws when one could not be created */
  static int seed(HttpClient http, String napi, List<Map<String, Object>> nics) throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    URI uri = URI.create(napi + "/nics");
    for (Map<String, Object> nic : nics) {
      slots.acquire();
      if (firstError.get() != null) {
        break;
      }
      HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Json.compact(nic))).build();
      CompletableFuture<HttpResponse<String>> f = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
      f.whenComplete((r, err) -> {
        if (err == null && (r.statusCode() == 200 || r.statusCode() == 422 && r.body().contains("Duplicate"))) {
          ok.incrementAndGet();
        } else {
          firstError.compareAndSet(null, "POST /nics " + nic.get("mac") + ": "
              + (err != null ? err.toString() : r.statusCode() + " " + r.body()));
        }
        slots.release();
      });
    }
    slots.acquire(IN_FLIGHT);
    if (firstError.get() != null) {
      throw new IllegalStateException("seeding NAPI failed: " + firstError.get());
    }
    return ok.get();
  }
}
