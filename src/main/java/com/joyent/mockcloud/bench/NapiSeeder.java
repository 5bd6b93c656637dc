package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.triton.JsonHttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the fleet's NICs in NAPI ({@code POST /nics}, a bounded number in flight) before
 * run-servers starts, as a datacenter that has run before would hold them. A NIC that already
 * exists (422 Duplicate) counts as present.
 */
final class NapiSeeder {
  private static final int IN_FLIGHT = 48;

  private NapiSeeder() {}

  /** @return how many NICs NAPI now holds of {@code nics}; throws when one could not be created */
  static int seed(JsonHttpClient napi, List<Map<String, Object>> nics) throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    for (Map<String, Object> nic : nics) {
      slots.acquire();
      if (firstError.get() != null) {
        break;
      }
      napi.sendAsync("POST", "/nics", nic).whenComplete((r, err) -> {
        if (err == null && (r.status() == 200 || r.status() == 422 && String.valueOf(r.body()).contains("Duplicate"))) {
          ok.incrementAndGet();
        } else {
          firstError.compareAndSet(null, "POST /nics " + nic.get("mac") + ": "
              + (err != null ? err.toString() : r.status() + " " + r.body()));
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
