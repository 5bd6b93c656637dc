package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VMs of one mock CN: the dummy {@code vmadm} (spec vmadm-and-vm-agent.md §2, decisions
 * D1–D15) over {@code <server dir>/vms/<vm_uuid>.json}, with the in-memory view and event
 * stream the dummy vminfod provided (§3). Obtained from {@link VmStore#openServer}.
 *
 * <p>Reads ({@link #load}, {@link #lookup}, {@link #exists}, {@link #vms}) never touch disk:
 * they parse the compact in-memory copy and add the derived fields of §1.7. Every mutation is
 * load view → change (pure functions {@link VmCreate}, {@link VmUpdate}, {@link Nics},
 * {@link VmSnapshots}, {@link VmStates}) → write the whole view back atomically and durably
 * (temp file, fsync, rename, directory fsync) → update the in-memory copy → enqueue one event
 * per write. When a mutating call returns, reads and later events reflect it
 * (read-your-writes). {@code last_modified} (the file mtime) strictly increases with every
 * write of a VM: if the filesystem clock did not move, the mtime is set to the previous + 1 ms.
 *
 * <p>Errors are {@link VmException}s; a missing VM is always {@link VmException#notFound}, an
 * invalid payload {@link VmException.Kind#INVALID} with nothing written, a failed write
 * {@link VmException.Kind#IO} with the old file and view intact.
 *
 * <p>Threads and locks: every method may be called from any thread and may block on disk
 * (call from a worker pool, not an I/O thread). Changes of one VM are serialised by that VM's
 * stripe lock ({@link VmStoreContext}), held across the whole operation — the three writes of
 * a reboot or the five of a reprovision are not interleaved with other changes of that VM.
 * Reads take no lock (entries are immutable). Listeners run on the store's executor, never
 * under a VM lock (see {@link ServerEvents}).
 *
 * <p>Hand edits: {@link #rescan()} (and the store's watcher/poller, which calls it) re-reads
 * files whose mtime or size differ from the in-memory copy and emits the same create / modify /
 * delete events as the store's own writes. A corrupt or foreign file is logged once and skipped.
 */
public final class ServerVms {
  private static final Logger LOG = LoggerFactory.getLogger(ServerVms.class);
  private static final long STALE_TEMP_MILLIS = 60_000;

  private final VmStoreContext ctx;
  private final ServerIdentity identity;
  private final Path vmsDir;
  private final ConcurrentHashMap<String, VmEntry> vms = new ConcurrentHashMap<>(16);
  private final ServerEvents events;
  private final Object pendingLock = new Object();
  private Set<String> pendingUuids; // guarded by pendingLock
  private boolean pendingFull; // guarded by pendingLock
  private boolean rescanScheduled; // guarded by pendingLock
  private volatile Map<String, VmFileSystem.Stamp> skipped; // files logged as unreadable
  private volatile boolean closed;
  private volatile boolean listFailing;
  /** Set when the shared watcher could not watch this directory; the store then polls it. */
  volatile boolean polled;

  ServerVms(VmStoreContext ctx, ServerIdentity identity, Path vmsDir) {
    this.ctx = ctx;
    this.identity = identity;
    this.vmsDir = vmsDir;
    this.events = new ServerEvents(identity, ctx);
  }

  public String serverUuid() {
    return identity.serverUuid();
  }

  public ServerIdentity identity() {
    return identity;
  }

  public Path vmsDir() {
    return vmsDir;
  }

  // ---------------------------------------------------------------- reads (no disk, no lock)

  /** The loaded view of a VM; a {@code do_not_inventory} VM counts as missing. */
  public Map<String, Object> load(String uuid) {
    return load(uuid, null, false);
  }

  /**
   * The loaded view (spec §2.2) restricted to {@code fields} (null = all keys).
   *
   * @throws VmException VmNotFound if missing, or DNI and not {@code includeDni}
   */
  public Map<String, Object> load(String uuid, List<String> fields, boolean includeDni) {
    VmEntry e = closed || uuid == null ? null : vms.get(uuid);
    if (e == null || (e.doNotInventory() && !includeDni)) {
      throw VmException.notFound(uuid);
    }
    return VmView.select(e.view(identity), fields);
  }

  public boolean exists(String uuid) {
    return exists(uuid, false);
  }

  /** Spec §2.1: false for a missing VM, and for a DNI VM unless {@code includeDni}. */
  public boolean exists(String uuid, boolean includeDni) {
    VmEntry e = closed || uuid == null ? null : vms.get(uuid);
    return e != null && (includeDni || !e.doNotInventory());
  }

  /**
   * Every VM (DNI ones included, as in the reference) whose view has each filter key equal to
   * the filter value (structural JSON equality, numbers by value), ordered by uuid, each
   * restricted to {@code fields} (null = all). An empty filter matches every VM (D8).
   */
  public List<Map<String, Object>> lookup(Map<String, ?> filters, List<String> fields) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, VmEntry> e : sortedEntries().entrySet()) {
      Map<String, Object> view = e.getValue().view(identity);
      if (matches(view, filters)) {
        out.add(VmView.select(view, fields));
      }
    }
    return out;
  }

  /** uuid → full view of every VM of the server, ordered by uuid (vminfod's {@code GET …/vms}). */
  public Map<String, Map<String, Object>> vms() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, VmEntry> e : sortedEntries().entrySet()) {
      out.put(e.getKey(), e.getValue().view(identity));
    }
    return out;
  }

  public int size() {
    return vms.size();
  }

  /** Sum of the in-memory blob sizes (for {@link VmStoreFootprint}). */
  long blobBytes() {
    long sum = 0;
    for (VmEntry e : vms.values()) {
      sum += e.blobLength();
    }
    return sum;
  }

  /** Id of this server's last event, null before the first (vminfod's {@code info} message). */
  public String lastEventId() {
    return events.lastId();
  }

  /**
   * Registers a listener for this server's create / modify / delete events and returns the
   * current VMs (taken after registering, so nothing is missed; a change may show up in both).
   */
  public Subscription subscribe(VmListener listener) {
    events.add(listener);
    return new Subscription(events, listener, vms(), ctx.nowIso());
  }

  // ---------------------------------------------------------------- mutations

  /**
   * {@code vmadm create} (spec §1.4 layer B): defaults, validation, one write, a {@code create}
   * event. Unlike the reference an existing uuid is refused ({@link VmException#exists}, the
   * message cn-agent's machine_create uses) rather than silently overwritten.
   *
   * @return the VM uuid (generated if the payload had none)
   */
  public String create(Map<String, Object> payload) {
    LinkedHashMap<String, Object> vm = VmCreate.apply(payload, ctx.nowIso());
    String uuid = (String) vm.get("uuid");
    return withVmLock(uuid, () -> {
      if (closed) {
        throw VmException.io("server " + serverUuid() + " is not open", null);
      }
      if (vms.containsKey(uuid) || stat(uuid) != null) {
        throw VmException.exists(uuid);
      }
      write(uuid, null, vm);
      return uuid;
    });
  }

  /**
   * {@code vmadm update} (spec §2.9, D1–D6; rules in {@link VmUpdate}). Writes once if anything
   * changed, else nothing (no event). {@code uuid} and option keys in the payload are ignored.
   *
   * @return true if the VM was written
   */
  public boolean update(String uuid, Map<String, Object> payload) {
    Map<String, Object> p = new LinkedHashMap<>(payload);
    p.keySet().removeAll(VmCreate.OPTION_KEYS);
    p.remove("uuid");
    return withVmLock(checkUuid(uuid), () -> step(uuid, vm -> VmUpdate.apply(vm, p)));
  }

  /** running, autoboot true; one write even if already running (spec §2.6). */
  public void start(String uuid) {
    withVmLock(checkUuid(uuid), () -> setState(uuid, VmStates.RUNNING, true, null));
  }

  /** stopped, autoboot false; one write even if already stopped (spec §2.7). */
  public void stop(String uuid) {
    withVmLock(checkUuid(uuid), () -> setState(uuid, VmStates.STOPPED, false, null));
  }

  /** Three writes: shutting_down (autoboot false), stopped, running (autoboot true) (§2.8). */
  public void reboot(String uuid) {
    withVmLock(checkUuid(uuid), () -> {
      setState(uuid, VmStates.SHUTTING_DOWN, false, null);
      setState(uuid, VmStates.STOPPED, null, null);
      return setState(uuid, VmStates.RUNNING, true, null);
    });
  }

  /** {@link #kill(String, String)} with the default signal. */
  public void kill(String uuid) {
    kill(uuid, null);
  }

  /** D14: like stop but {@code autoboot} unchanged; one write. The signal is accepted and ignored. */
  public void kill(String uuid, String signal) {
    withVmLock(checkUuid(uuid), () -> setState(uuid, VmStates.STOPPED, null, null));
  }

  /**
   * D14: a small fixed answer for kvm/bhyve VMs ({@code status}, {@code vnc}, {@code version},
   * filtered by {@code types}; null, empty or {@code "all"} = everything). Zones →
   * {@link VmException.Kind#NOT_SUPPORTED}, as real vmadm.
   */
  public Map<String, Object> info(String uuid, List<String> types) {
    Map<String, Object> vm = load(uuid, null, true);
    if (!Brands.isHvm(vm.get("brand"))) {
      throw VmException.notSupported("info is only supported for kvm and bhyve VMs, " + uuid + " is " + vm.get("brand"));
    }
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("status", Map.of("status", String.valueOf(vm.get("state"))));
    Map<String, Object> vnc = new LinkedHashMap<>();
    vnc.put("host", "127.0.0.1");
    vnc.put("port", 0);
    vnc.put("display", 0);
    all.put("vnc", vnc);
    all.put("version", Map.of("version", "mockcloud"));
    if (types == null || types.isEmpty() || types.contains("all")) {
      return all;
    }
    all.keySet().retainAll(types);
    return all;
  }

  /** Appends {@code {created_at, name}}; a duplicate name is refused (D15). One write. */
  public void createSnapshot(String uuid, String name) {
    withVmLock(checkUuid(uuid), () -> step(uuid, vm -> {
      VmSnapshots.add(vm, name, ctx.nowIso());
      return true;
    }));
  }

  /** Removes the named snapshot; none → {@code No snapshot named "<name>" for <uuid>}. */
  public void deleteSnapshot(String uuid, String name) {
    withVmLock(checkUuid(uuid), () -> step(uuid, vm -> {
      VmSnapshots.delete(vm, name);
      return true;
    }));
  }

  /**
   * Spec §2.10: a running VM is stopped (1 write), newer snapshots are dropped (1 write if any),
   * and the VM is started again (1 write). A missing snapshot fails before any write.
   */
  public void rollbackSnapshot(String uuid, String name) {
    withVmLock(checkUuid(uuid), () -> {
      Map<String, Object> view = require(uuid).view(identity);
      VmSnapshots.requireExists(view, name);
      boolean wasRunning = VmStates.RUNNING.equals(view.get("state"));
      if (wasRunning) {
        setState(uuid, VmStates.STOPPED, false, null);
      }
      step(uuid, vm -> VmSnapshots.rollback(vm, name));
      if (wasRunning) {
        setState(uuid, VmStates.RUNNING, true, null);
      }
      return null;
    });
  }

  /**
   * Spec §2.11: five writes for a running VM (provisioning with zone_state running → stopped,
   * new image_uuid, zone_state running, back to running), three for a stopped one.
   */
  public void reprovision(String uuid, String imageUuid) {
    checkUuid(uuid);
    if (!Uuids.isUuid(imageUuid)) {
      throw VmException.invalid("image_uuid must be a UUID, got " + imageUuid);
    }
    withVmLock(uuid, () -> {
      String before = String.valueOf(require(uuid).view(identity).get("state"));
      boolean running = VmStates.RUNNING.equals(before);
      setState(uuid, VmStates.PROVISIONING, null, before);
      if (running) {
        setState(uuid, VmStates.PROVISIONING, null, VmStates.STOPPED);
      }
      step(uuid, vm -> {
        vm.put("image_uuid", imageUuid);
        return true;
      });
      if (running) {
        setState(uuid, VmStates.PROVISIONING, null, VmStates.RUNNING);
      }
      return setState(uuid, before, null, null);
    });
  }

  /** Unlinks the file (no state or DNI checks); a {@code delete} event with the last view. */
  public void delete(String uuid) {
    withVmLock(checkUuid(uuid), () -> {
      VmEntry before = closed ? null : vms.get(uuid);
      boolean existed;
      try {
        existed = ctx.fs.delete(fileOf(uuid));
      } catch (IOException e) {
        throw VmException.io("vmadm delete " + uuid + " failed: " + e.getMessage(), e);
      }
      if (before == null && !existed) {
        throw VmException.notFound(uuid);
      }
      if (before != null) {
        vms.remove(uuid);
        events.enqueue(VmEvent.Type.DELETE, uuid, before, null);
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- disk → memory

  /**
   * Re-reads the directory: files that appeared, vanished or whose mtime/size differ from the
   * in-memory copy become create / delete / modify events. Blocks on disk.
   */
  public void rescan() {
    if (closed) {
      return;
    }
    Set<String> uuids = new TreeSet<>();
    try {
      for (String name : ctx.fs.list(vmsDir)) {
        String u = Uuids.fromFileName(name);
        if (u != null) {
          uuids.add(u);
        }
      }
      listFailing = false;
    } catch (IOException e) {
      // Typically the server directory was removed and the fleet has not closed it yet: say it
      // once, not on every poll.
      if (!listFailing) {
        listFailing = true;
        LOG.atWarn().addKeyValue("server_uuid", serverUuid()).log("cannot list {}: {}", vmsDir, e.toString());
      }
      return;
    }
    // The reference emits the creates of a reload first, then deletes, then modifies.
    List<String> order = new ArrayList<>();
    for (String u : uuids) {
      if (!vms.containsKey(u)) {
        order.add(u);
      }
    }
    for (String u : new TreeSet<>(vms.keySet())) {
      if (!uuids.contains(u)) {
        order.add(u);
      }
    }
    for (String u : uuids) {
      if (vms.containsKey(u)) {
        order.add(u);
      }
    }
    for (String u : order) {
      reconcile(u);
    }
  }

  /** Re-reads one VM file (the watcher names the file that changed). */
  void reconcile(String uuid) {
    withVmLock(uuid, () -> {
      if (!closed) {
        reconcileLocked(uuid, true);
      }
      return null;
    });
  }

  /** First load at open: no events; stale temp files of crashed writers are removed. */
  void loadAll() throws IOException {
    long now = System.currentTimeMillis(); // compared with file mtimes, which follow the wall clock
    for (String name : ctx.fs.list(vmsDir)) {
      String u = Uuids.fromFileName(name);
      if (u != null) {
        withVmLock(u, () -> {
          reconcileLocked(u, false);
          return null;
        });
      } else if (AtomicFiles.isTempFile(vmsDir.resolve(name))) {
        removeIfStale(vmsDir.resolve(name), now);
      }
    }
  }

  /** Called by the watcher thread: debounce, then reconcile (uuid) or rescan (null) on the executor. */
  void markDirty(String uuidOrNull) {
    synchronized (pendingLock) {
      if (uuidOrNull == null) {
        pendingFull = true;
      } else {
        if (pendingUuids == null) {
          pendingUuids = new HashSet<>();
        }
        pendingUuids.add(uuidOrNull);
      }
      if (rescanScheduled) {
        return;
      }
      rescanScheduled = true;
    }
    try {
      ctx.scheduler.schedule(() -> runOnExecutor(this::processPending), ctx.debounce.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      synchronized (pendingLock) {
        rescanScheduled = false;
      }
    }
  }

  private void runOnExecutor(Runnable r) {
    try {
      ctx.executor.execute(r);
    } catch (RejectedExecutionException e) {
      synchronized (pendingLock) {
        rescanScheduled = false;
      }
    }
  }

  void processPending() {
    Set<String> uuids;
    boolean full;
    synchronized (pendingLock) {
      uuids = pendingUuids;
      full = pendingFull;
      pendingUuids = null;
      pendingFull = false;
      rescanScheduled = false;
    }
    try {
      if (full) {
        rescan();
      } else if (uuids != null) {
        for (String u : uuids) {
          reconcile(u);
        }
      }
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid()).setCause(e).log("VM rescan failed");
    }
  }

  void close() {
    closed = true;
    events.clear();
  }

  boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- internals

  private interface LockedOp<T> {
    T run();
  }

  private <T> T withVmLock(String uuid, LockedOp<T> op) {
    ReentrantLock lock = ctx.lockFor(uuid);
    lock.lock();
    try {
      return op.run();
    } finally {
      lock.unlock();
      events.kick();
    }
  }

  private static String checkUuid(String uuid) {
    if (!Uuids.isUuid(uuid)) {
      throw VmException.invalid("uuid must be a lower-case UUID, got " + uuid);
    }
    return uuid;
  }

  private VmEntry require(String uuid) {
    VmEntry e = closed ? null : vms.get(uuid);
    if (e == null) {
      throw VmException.notFound(uuid);
    }
    return e;
  }

  /** One load → change → write; no write if {@code change} returns false. VM lock held. */
  private boolean step(String uuid, Predicate<Map<String, Object>> change) {
    assert ctx.lockFor(uuid).isHeldByCurrentThread();
    VmEntry before = require(uuid);
    Map<String, Object> vm = before.view(identity);
    if (!change.test(vm)) {
      return false;
    }
    write(uuid, before, vm);
    return true;
  }

  private boolean setState(String uuid, String state, Boolean autoboot, String zoneState) {
    return step(uuid, vm -> {
      VmStates.set(vm, state, autoboot, zoneState);
      return true;
    });
  }

  /** Durable atomic write, strictly increasing mtime, cache update, event. VM lock held. */
  private void write(String uuid, VmEntry before, Map<String, Object> vm) {
    assert ctx.lockFor(uuid).isHeldByCurrentThread();
    Path file = fileOf(uuid);
    byte[] bytes = Json.prettyBytes(vm, 2);
    boolean renamed = false;
    try {
      ctx.fs.writeAtomically(file, bytes);
      renamed = true;
      VmFileSystem.Stamp st = ctx.fs.stat(file);
      if (st == null) {
        throw new NoSuchFileException(file.toString(), null, "vanished right after the write");
      }
      long mtime = st.mtimeMillis();
      if (before != null && mtime <= before.mtimeMillis) {
        mtime = before.mtimeMillis + 1;
        ctx.fs.setMtime(file, mtime);
      }
      VmEntry after = VmEntry.of(vm, mtime, st.size());
      vms.put(uuid, after);
      events.enqueue(before == null ? VmEvent.Type.CREATE : VmEvent.Type.MODIFY, uuid, before, after);
    } catch (IOException e) {
      if (renamed) {
        // The new content is on disk; take it in as a change so memory matches the disk.
        reconcileQuietly(uuid);
      }
      throw VmException.io("vmadm write " + uuid + " failed: " + e.getMessage(), e);
    }
  }

  private void reconcileQuietly(String uuid) {
    try {
      reconcileLocked(uuid, true);
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid()).setCause(e).log("cannot re-read VM {}", uuid);
    }
  }

  /** Brings the in-memory copy of one VM in line with its file. VM lock held. */
  private void reconcileLocked(String uuid, boolean emit) {
    Path file = fileOf(uuid);
    VmEntry cur = vms.get(uuid);
    VmFileSystem.Stamp st;
    byte[] bytes;
    try {
      st = ctx.fs.stat(file);
      if (st != null && cur != null && cur.mtimeMillis == st.mtimeMillis() && cur.size == st.size()) {
        return; // our own write, or nothing new
      }
      bytes = st == null ? null : ctx.fs.read(file);
    } catch (NoSuchFileException e) {
      st = null;
      bytes = null;
    } catch (IOException e) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid()).log("cannot read VM file {}: {}", file, e.toString());
      return;
    }
    if (st == null) {
      forgetSkipped(uuid);
      if (cur != null) {
        vms.remove(uuid);
        if (emit) {
          events.enqueue(VmEvent.Type.DELETE, uuid, cur, null);
        }
      }
      return;
    }
    LinkedHashMap<String, Object> obj;
    try {
      obj = Json.parseObject(bytes);
      if (!uuid.equals(obj.get("uuid"))) {
        throw new Json.JsonFormatException("its \"uuid\" is " + obj.get("uuid") + ", not the file name's");
      }
    } catch (Json.JsonFormatException e) {
      skip(uuid, st, e.getMessage());
      return;
    }
    forgetSkipped(uuid);
    long mtime = st.mtimeMillis();
    if (cur != null && mtime <= cur.mtimeMillis) {
      // A hand edit that kept or moved back the mtime (cp -p, touch -d): last_modified must
      // still increase.
      mtime = cur.mtimeMillis + 1;
      try {
        ctx.fs.setMtime(file, mtime);
      } catch (IOException e) {
        LOG.atWarn().addKeyValue("server_uuid", serverUuid()).log("cannot set mtime of {}: {}", file, e.toString());
      }
    }
    VmEntry next = VmEntry.of(obj, mtime, st.size());
    vms.put(uuid, next);
    if (emit && !next.sameContent(cur)) {
      events.enqueue(cur == null ? VmEvent.Type.CREATE : VmEvent.Type.MODIFY, uuid, cur, next);
    }
  }

  private void skip(String uuid, VmFileSystem.Stamp st, String why) {
    Map<String, VmFileSystem.Stamp> s = skipped;
    if (s == null) {
      synchronized (pendingLock) {
        if (skipped == null) {
          skipped = new ConcurrentHashMap<>(4);
        }
        s = skipped;
      }
    }
    if (!st.equals(s.put(uuid, st))) {
      LOG.atWarn().addKeyValue("server_uuid", serverUuid()).addKeyValue("vm_uuid", uuid)
          .log("skipping unreadable VM file {}: {}", fileOf(uuid), why);
    }
  }

  private void forgetSkipped(String uuid) {
    Map<String, VmFileSystem.Stamp> s = skipped;
    if (s != null) {
      s.remove(uuid);
    }
  }

  private void removeIfStale(Path tmp, long now) {
    try {
      VmFileSystem.Stamp st = ctx.fs.stat(tmp);
      if (st != null && now - st.mtimeMillis() > STALE_TEMP_MILLIS) {
        ctx.fs.delete(tmp);
        LOG.atInfo().addKeyValue("server_uuid", serverUuid()).log("removed temp file of an interrupted write: {}", tmp);
      }
    } catch (IOException e) {
      LOG.atDebug().log("cannot remove {}: {}", tmp, e.toString());
    }
  }

  private VmFileSystem.Stamp stat(String uuid) {
    try {
      return ctx.fs.stat(fileOf(uuid));
    } catch (IOException e) {
      throw VmException.io("cannot stat " + fileOf(uuid) + ": " + e.getMessage(), e);
    }
  }

  private Path fileOf(String uuid) {
    return vmsDir.resolve(Uuids.fileName(uuid));
  }

  private TreeMap<String, VmEntry> sortedEntries() {
    return closed ? new TreeMap<>() : new TreeMap<>(vms);
  }

  private static boolean matches(Map<String, Object> view, Map<String, ?> filters) {
    if (filters == null) {
      return true;
    }
    for (Map.Entry<String, ?> f : filters.entrySet()) {
      if (!view.containsKey(f.getKey()) || !JsonValues.deepEquals(view.get(f.getKey()), f.getValue())) {
        return false;
      }
    }
    return true;
  }
}
