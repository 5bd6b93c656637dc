package com.joyent.mockcloud.vm;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change-event stream of one server: its listeners, a FIFO of pending events and the
 * per-server event counter.
 *
 * <p>Threads and locks: {@link #enqueue} is called by a writer while it holds the VM's stripe
 * lock, right after the durable write and the cache update, so the queue order is the order
 * of the changes (per VM and per server). {@link #kick} is called after the writer released
 * the VM lock; it submits at most one drain task at a time to the shared executor, so events
 * of one server are delivered one at a time, in order, and never on the writer's stack while
 * it holds a VM lock (unless the executor runs tasks inline, as tests do). The monitor of this
 * object guards the queue, the counter and {@code draining}; it is never held while a listener
 * runs. The event's views and {@code changes} are computed on the delivery thread from the
 * immutable before/after entries. A drain hands back its thread after {@value #BATCH} events,
 * so one busy server cannot monopolise the pool. With no listeners nothing is queued.
 */
final class ServerEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ServerEvents.class);
  private static final int BATCH = 64;

  private record Pending(VmEvent.Type type, String uuid, VmEntry before, VmEntry after, String id) {}

  private final String serverUuid;
  private final ServerIdentity identity;
  private final VmStoreContext ctx;
  private final CopyOnWriteArrayList<VmListener> listeners = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(0);
  private long counter;
  private String lastId;
  private boolean draining;

  ServerEvents(ServerIdentity identity, VmStoreContext ctx) {
    this.serverUuid = identity.serverUuid();
    this.identity = identity;
    this.ctx = ctx;
  }

  void add(VmListener l) {
    listeners.add(l);
  }

  void remove(VmListener l) {
    listeners.remove(l);
  }

  void clear() {
    listeners.clear();
    synchronized (this) {
      queue.clear();
    }
  }

  /** The id of the last event of this server, null if none yet (vminfod's {@code info} message). */
  synchronized String lastId() {
    return lastId;
  }

  synchronized void enqueue(VmEvent.Type type, String uuid, VmEntry before, VmEntry after) {
    String id = ctx.eventIdPrefix + "." + type.wire() + "." + counter++;
    lastId = id;
    if (!listeners.isEmpty()) {
      queue.add(new Pending(type, uuid, before, after, id));
    }
  }

  /** Starts delivery if events are pending and no drain is running. Call with no VM lock held. */
  void kick() {
    synchronized (this) {
      if (draining || queue.isEmpty()) {
        return;
      }
      draining = true;
    }
    submitDrain();
  }

  private void submitDrain() {
    try {
      ctx.executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid).log("VM event executor rejected delivery; events dropped");
      synchronized (this) {
        queue.clear();
        draining = false;
      }
    }
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Pending p;
      synchronized (this) {
        p = queue.poll();
        if (p == null) {
          draining = false;
          return;
        }
      }
      deliver(build(p));
    }
    submitDrain(); // still draining: let other servers' deliveries in first
  }

  private VmEvent build(Pending p) {
    Map<String, Object> vm = p.after != null ? p.after.view(identity) : p.before.view(identity);
    List<VmChange> changes = p.type == VmEvent.Type.MODIFY
        ? Collections.unmodifiableList(VmDiff.diff(p.before.view(identity), vm))
        : List.of();
    return new VmEvent(p.type, serverUuid, p.uuid, Collections.unmodifiableMap(vm), changes, p.id);
  }

  private void deliver(VmEvent event) {
    for (VmListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("server_uuid", serverUuid).addKeyValue("vm_uuid", event.zonename())
            .setCause(e).log("VM event listener failed");
      }
    }
  }
}
