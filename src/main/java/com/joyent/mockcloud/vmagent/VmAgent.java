package com.joyent.mockcloud.vmagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.triton.VmapiApi;
import com.joyent.mockcloud.util.Backoff;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.Subscription;
import com.joyent.mockcloud.vm.VmEvent;
import com.joyent.mockcloud.vm.VmException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CN's vm-agent (spec vmadm-and-vm-agent.md §4): keeps VMAPI in step with the CN's VMs.
 *
 * <p>Start-up: list the server's active VMs in VMAPI (paged), compare with the VM store, send
 * one bulk {@code PUT /vms?server_uuid=} with what differs (VMs VMAPI has and the CN does not
 * go as {@code destroyed}); retried as a whole with backoff 0.5 s doubling to 30 s. Then each
 * VM store event queues the VM's uuid (once, however many events); a FIFO with one request in
 * flight loads the VM fresh and {@code PUT /vms/<uuid>}s it, or its last view marked
 * {@code destroyed} once it is gone. A failed PUT is retried per VM with its own backoff, so a
 * VMAPI outage delays updates but loses none, and the latest state is what arrives.
 *
 * <p>Threads: event callbacks, HTTP completions and retry timers may arrive on any thread;
 * state changes happen under this object's lock and no lock is held across I/O. Nothing here
 * blocks (VM loads are in memory). No thread or timer belongs to a CN.
 */
public final class VmAgent {
  private static final Logger LOG = LoggerFactory.getLogger(VmAgent.class);

  private final String server;
  private final ServerVms vms;
  private final VmapiApi vmapi;
  private final Timer timer;
  private final VmAgentOptions options;

  private boolean ready;
  private boolean stopped;
  private boolean inFlight;
  private final Set<String> dirty = new LinkedHashSet<>();
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> waiting = new HashSet<>();
  /** VMs VMAPI has been told about (or that it listed): only their deletion is reported. */
  private final Set<String> seen = new HashSet<>();
  private final Set<String> knownDni = new HashSet<>();
  /** Last view of deleted VMs whose destroyed-PUT has not succeeded yet. */
  private final Map<String, Map<String, Object>> pendingDeletes = new HashMap<>();
  private final Map<String, Backoff> retryDelay = new HashMap<>(); // per VM, only while it is retried
  private final Set<String> retryScheduled = new HashSet<>();
  private final Backoff syncBackoff;
  private Subscription subscription;
  private int failuresInARow;

  public VmAgent(String serverUuid, ServerVms vms, VmapiApi vmapi, Timer timer,
      VmAgentOptions options) {
    this.server = serverUuid;
    this.vms = vms;
    this.vmapi = vmapi;
    this.timer = timer;
    this.options = options;
    this.syncBackoff = Backoff.doubling(options.retryMin().toMillis(), options.retryMax().toMillis());
  }

  /** Subscribes to the VM store, then starts the initial sync; never blocks. */
  public void start() {
    subscription = vms.subscribe(this::onEvent);
    initialSync();
  }

  public void stop() {
    synchronized (this) {
      stopped = true;
      queue.clear();
      waiting.clear();
    }
    if (subscription != null) {
      subscription.close();
    }
  }

  /** Stopped: for good (its CN stopped) or while its behaviour pauses it (a new agent resumes). */
  public synchronized boolean isStopped() {
    return stopped;
  }

  public synchronized boolean isReady() {
    return ready;
  }

  /** Ready, with no VM queued, in flight or waiting for a retry: VMAPI has heard everything. */
  public synchronized boolean isIdle() {
    return ready && !inFlight && queue.isEmpty() && retryScheduled.isEmpty();
  }

  private void onEvent(VmEvent e) {
    String uuid = e.zonename();
    synchronized (this) {
      if (e.type() == VmEvent.Type.DELETE && seen.remove(uuid)) {
        pendingDeletes.put(uuid, e.vm());
      }
      if (!ready) {
        dirty.add(uuid);
        return;
      }
      enqueue(uuid);
    }
    pump();
  }

  // ------------------------------------------------------------------ start-up

  private void initialSync() {
    vmapi.listVmsOnServer(server, "active").thenCompose(this::bulkPut).whenComplete((v, err) -> {
      if (err == null) {
        synchronized (this) {
          ready = true;
          dirty.forEach(this::enqueue);
          dirty.clear();
        }
        LOG.debug("vm-agent of {}: startup complete", server);
        pump();
        return;
      }
      long delay;
      synchronized (this) {
        if (stopped) {
          return;
        }
        delay = syncBackoff.nextDelayMs();
      }
      logFailure("initial sync", err);
      timer.schedule(this::initialSync, delay, TimeUnit.MILLISECONDS);
    });
  }

  private CompletableFuture<Void> bulkPut(Map<String, Map<String, Object>> inVmapi) {
    Map<String, Map<String, Object>> local = new LinkedHashMap<>();
    Set<String> dni = new HashSet<>();
    for (Map.Entry<String, Map<String, Object>> e : vms.vms().entrySet()) {
      if (JsValues.truthy(e.getValue().get("do_not_inventory"))) {
        dni.add(e.getKey());
      } else {
        local.put(e.getKey(), e.getValue());
      }
    }
    Map<String, Object> diff = InitialSync.differences(local, inVmapi);
    // Only the ids are kept until the PUT is answered: at 10,000 CNs thousands of these wait
    // for a place at the outbound gate, and holding every CN's decoded VMs meanwhile filled
    // the heap during start-up.
    Set<String> localIds = new HashSet<>(local.keySet());
    Runnable done = () -> {
      synchronized (this) {
        knownDni.addAll(dni);
        seen.addAll(localIds);
      }
    };
    if (diff.isEmpty()) {
      done.run();
      return CompletableFuture.completedFuture(null);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("vms", diff);
    return vmapi.putVms(server, body).thenCompose(r -> {
      if (!r.isSuccessful()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(vmapi.describe("PUT", "/vms?server_uuid=" + server) + " answered " + r.status()));
      }
      done.run();
      return CompletableFuture.completedFuture(null);
    });
  }

  // ------------------------------------------------------------------ incremental updates

  private void enqueue(String uuid) {
    assert Thread.holdsLock(this);
    if (!stopped && waiting.add(uuid)) {
      queue.addLast(uuid);
    }
  }

  private void pump() {
    String uuid;
    Map<String, Object> body;
    synchronized (this) {
      if (inFlight || stopped || !ready || queue.isEmpty()) {
        return;
      }
      uuid = queue.pollFirst();
      waiting.remove(uuid);
      body = bodyFor(uuid);
      if (body == null) {
        retryDelay.remove(uuid); // ignored: nothing to send
      } else {
        inFlight = true;
      }
    }
    if (body == null) {
      pump();
      return;
    }
    boolean destroying = "destroyed".equals(body.get("state"));
    vmapi.putVm(uuid, body).whenComplete((r, err) -> {
      boolean ok = err == null && r.isSuccessful();
      synchronized (this) {
        inFlight = false;
        if (ok) {
          retryDelay.remove(uuid);
          if (destroying) {
            pendingDeletes.remove(uuid);
          }
          failuresInARow = 0;
        } else {
          scheduleRetry(uuid);
        }
      }
      if (!ok) {
        logFailure("PUT /vms/" + uuid, err != null ? err : new IllegalStateException("answered " + r.status()));
      }
      pump();
    });
  }

  /** What to PUT for a VM now, or null when there is nothing to tell VMAPI. */
  private Map<String, Object> bodyFor(String uuid) {
    assert Thread.holdsLock(this);
    try {
      Map<String, Object> vm = vms.load(uuid, null, true);
      if (JsValues.truthy(vm.get("do_not_inventory"))) {
        knownDni.add(uuid);
        return null;
      }
      knownDni.remove(uuid);
      seen.add(uuid);
      return vm;
    } catch (VmException e) {
      if (e.kind() != VmException.Kind.NOT_FOUND) {
        scheduleRetry(uuid);
        return null;
      }
      if (knownDni.remove(uuid)) {
        return null;
      }
      Map<String, Object> last = pendingDeletes.get(uuid);
      if (last == null) {
        return null; // created and deleted before we ever saw it
      }
      Map<String, Object> gone = new LinkedHashMap<>(last);
      gone.put("state", "destroyed");
      gone.put("zone_state", "destroyed");
      return gone;
    }
  }

  private void scheduleRetry(String uuid) {
    assert Thread.holdsLock(this);
    if (stopped || !retryScheduled.add(uuid)) {
      return;
    }
    long delay = retryDelay.computeIfAbsent(uuid,
        u -> Backoff.doubling(options.retryMin().toMillis(), options.retryMax().toMillis())).nextDelayMs();
    timer.schedule(() -> {
      synchronized (this) {
        retryScheduled.remove(uuid);
        enqueue(uuid);
      }
      pump();
    }, delay, TimeUnit.MILLISECONDS);
  }

  private void logFailure(String what, Throwable err) {
    int n;
    synchronized (this) {
      n = ++failuresInARow;
    }
    Throwable t = err.getCause() != null ? err.getCause() : err;
    if (n == 1) {
      LOG.warn("vm-agent of {}: {} failed: {}", server, what, t.toString());
    } else {
      LOG.debug("vm-agent of {}: {} failed ({} in a row): {}", server, what, n, t.toString());
    }
  }

  /** For tests: VMs whose deletion has not reached VMAPI yet. */
  synchronized Set<String> pendingDeletes() {
    return Set.copyOf(pendingDeletes.keySet());
  }
}
