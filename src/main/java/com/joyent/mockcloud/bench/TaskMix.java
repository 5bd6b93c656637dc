package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives cn-agent tasks straight at the CNs' listeners at a fixed rate, spread over the
 * fleet: machine_create, machine_shutdown, machine_boot, machine_destroy in equal parts, on
 * VMs the CN has. Records each task's latency (request sent to answer received).
 */
final class TaskMix {
  /** One CN as the bench sees it: where its cn-agent listens and which VMs it has. */
  static final class Cn {
    final String uuid;
    final int port;
    final List<String> vms;
    final int index;
    int created;

    Cn(String uuid, int port, List<String> vms, int index) {
      this.uuid = uuid;
      this.port = port;
      this.vms = new ArrayList<>(vms);
      this.index = index;
    }
  }

  /** @param failures the first few failed tasks: name, status or exception, start of the answer */
  record Result(double[] latenciesMs, int sent, int failed, Map<String, Integer> byTask, List<String> failures) {}

  private static final int FAILURES_KEPT = 10;

  private TaskMix() {}

  static Result run(List<Cn> cns, double rate, int seconds, FleetGenerator.VmNetwork net) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(2)).build();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger outstanding = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> byTask = new java.util.concurrent.ConcurrentHashMap<>();
    Random random = new Random(42);
    int total = (int) Math.round(rate * seconds);
    long start = System.nanoTime();
    CountDownLatch allSent = new CountDownLatch(1);
    ticker.scheduleAtFixedRate(() -> {
      double elapsed = (System.nanoTime() - start) / 1e9;
      int due = Math.min(total, (int) Math.floor(elapsed * rate));
      while (sent.get() < due) {
        sent.incrementAndGet();
        Cn cn = cns.get(random.nextInt(cns.size()));
        String[] task = pick(cn, random, net);
        byTask.merge(task[0], 1, Integer::sum);
        outstanding.incrementAndGet();
        long t0 = System.nanoTime();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cn.port + "/tasks"))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json").header("x-server-uuid", cn.uuid)
            .POST(HttpRequest.BodyPublishers.ofString(task[1])).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          latencies.add((System.nanoTime() - t0) / 1e6);
          if (e != null || r.statusCode() != 200) {
            failed.incrementAndGet();
            if (failures.size() < FAILURES_KEPT) {
              failures.add(task[0] + " on " + cn.uuid + ": " + (e != null ? e.toString()
                  : r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()))));
            }
          }
          outstanding.decrementAndGet();
        });
      }
      if (sent.get() >= total) {
        allSent.countDown();
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    allSent.await(seconds + 30L, TimeUnit.SECONDS);
    ticker.shutdownNow();
    long deadline = System.currentTimeMillis() + 60_000;
    while (outstanding.get() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    double[] l = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    return new Result(l, sent.get(), failed.get(), new LinkedHashMap<>(byTask), List.copyOf(failures));
  }

  /** {task name, request body}; keeps the CN's VM list in step with what it asks for. */
  private static String[] pick(Cn cn, Random random, FleetGenerator.VmNetwork net) {
    synchronized (cn) {
      int op = cn.vms.isEmpty() ? 0 : random.nextInt(4);
      Map<String, Object> body = new LinkedHashMap<>();
      switch (op) {
        case 0 -> {
          Map<String, Object> params = FleetGenerator.vmParams(random, UUID.fromString(cn.uuid), cn.index,
              100 + cn.created++, net);
          cn.vms.add((String) params.get("uuid"));
          body.put("task", "machine_create");
          body.put("params", params);
        }
        case 1, 2 -> {
          body.put("task", op == 1 ? "machine_shutdown" : "machine_boot");
          body.put("params", Map.of("uuid", cn.vms.get(random.nextInt(cn.vms.size()))));
        }
        default -> {
          body.put("task", "machine_destroy");
          body.put("params", Map.of("uuid", cn.vms.remove(random.nextInt(cn.vms.size()))));
        }
      }
      return new String[] {(String) body.get("task"), Json.compact(body)};
    }
  }
}
