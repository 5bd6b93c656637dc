package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Adopts the generated fleet's agent instances into the receiver's SAPI, as create-server does
 * one CN at a time, so that every CN's config-agent polls instances SAPI knows (a 200 or 304,
 * not a 404) — the load a datacenter's SAPI carries. A bounded number of requests in flight.
 */
final class SapiSeeder {
  private static final int IN_FLIGHT = 48;

  private SapiSeeder() {}

  /** @return how many instances SAPI now holds of the fleet's; throws when one could not be created */
  static int seed(JsonHttpClient sapi, List<ServerDirectory> servers) throws IOException, InterruptedException {
    ApiResponse r = sapi.send("GET", "/services?type=agent", null);
    if (!r.isSuccessful()) {
      throw new IOException("SAPI GET /services answered " + r.status());
    }
    Map<String, Object> serviceByName = new HashMap<>();
    for (Object o : r.bodyList()) {
      Map<?, ?> svc = (Map<?, ?>) o;
      serviceByName.put(String.valueOf(svc.get("name")), svc.get("uuid"));
    }
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    for (ServerDirectory d : servers) {
      List<Path> agents;
      try (Stream<Path> s = Files.list(d.agentsDir())) {
        agents = s.sorted().toList();
      }
      for (Path a : agents) {
        Object service = serviceByName.get(a.getFileName().toString());
        Path instance = a.resolve("instance_uuid");
        if (service == null || !Files.isRegularFile(instance)) {
          continue;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service_uuid", service);
        body.put("uuid", Files.readString(instance, StandardCharsets.UTF_8).trim());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("server_uuid", d.uuid().toString());
        Path image = a.resolve("image_uuid");
        if (Files.isRegularFile(image)) {
          params.put("image_uuid", Files.readString(image, StandardCharsets.UTF_8).trim());
        }
        body.put("params", params);
        slots.acquire();
        if (firstError.get() != null) {
          break;
        }
        sapi.sendAsync("POST", "/instances", body).whenComplete((resp, err) -> {
          if (err == null && resp.isSuccessful()) {
            ok.incrementAndGet();
          } else {
            firstError.compareAndSet(null, "POST /instances " + body.get("uuid") + ": "
                + (err != null ? err.toString() : resp.status() + " " + resp.body()));
          }
          slots.release();
        });
      }
    }
    slots.acquire(IN_FLIGHT);
    if (firstError.get() != null) {
      throw new IllegalStateException("seeding SAPI failed: " + firstError.get());
    }
    return ok.get();
  }
}
