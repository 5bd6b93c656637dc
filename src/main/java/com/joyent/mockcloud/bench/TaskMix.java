package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.NamedThreads;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
    // The project's own client: it closes idle connections after 4 s, well before the cn-agent
    // listener's 60 s, so a task never goes out on a connection the listener is closing (the
    // JDK client keeps them 20 minutes, and a POST that meets a closed connection just fails).
    OutboundHttp http = OutboundHttp.standalone();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(NamedThreads.bench("tasks"));
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger outstanding = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> byTask = new ConcurrentHashMap<>();
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
        OutboundHttp.Request req = new OutboundHttp.Request("POST", URI.create("http://127.0.0.1:" + cn.port),
            "/tasks", Map.of("content-type", "application/json", "x-server-uuid", cn.uuid),
            task[1].getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        http.send(req).whenComplete((r, e) -> {
          latencies.add((System.nanoTime() - t0) / 1e6);
          if (e != null || r.status() != 200) {
            failed.incrementAndGet();
            if (failures.size() < FAILURES_KEPT) {
              String body = r == null ? "" : new String(r.body(), StandardCharsets.UTF_8);
              failures.add(task[0] + " on " + cn.uuid + ": " + (e != null ? e.toString()
                  : r.status() + " " + body.substring(0, Math.min(300, body.length()))));
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
    http.close();
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
