package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.JsValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

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
  /**
   * The fields a {@link #load(String, List, boolean)} or {@link #lookup} restricted to them
   * answers without decoding any VM file's blob (what a CN's status report reads of each VM).
   */
  public static final List<String> SUMMARY_FIELDS = VmView.SUMMARY_KEYS;
  private final VmStoreContext ctx;
  private final ServerIdentity identity;
  private final ServerVmFiles files;

  ServerVms(VmStoreContext ctx, ServerIdentity identity, Path vmsDir) {
    this.ctx = ctx;
    this.identity = identity;
    this.files = new ServerVmFiles(ctx, identity, vmsDir);
  }

  public String serverUuid() {
    return identity.serverUuid();
  }

  public ServerIdentity identity() {
    return identity;
  }

  public Path vmsDir() {
    return files.vmsDir();
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
    VmEntry e = files.get(uuid);
    if (e == null || (e.doNotInventory() && !includeDni)) {
      throw VmException.notFound(uuid);
    }
    return fields == null ? e.view(identity)
        : VmView.select(e.partialView(identity, VmView.keysToDecode(fields)), fields);
  }

  public boolean exists(String uuid) {
    return exists(uuid, false);
  }

  /** Spec §2.1: false for a missing VM, and for a DNI VM unless {@code includeDni}. */
  public boolean exists(String uuid, boolean includeDni) {
    VmEntry e = files.get(uuid);
    return e != null && (includeDni || !e.doNotInventory());
  }

  /**
   * Every VM (DNI ones included, as in the reference) whose view has each filter key equal to
   * the filter value (structural JSON equality, numbers by value), ordered by uuid, each
   * restricted to {@code fields} (null = all). An empty filter matches every VM (D8).
   */
  public List<Map<String, Object>> lookup(Map<String, ?> filters, List<String> fields) {
    List<Map<String, Object>> out = new ArrayList<>();
    VmView.Decode keys = null;
    if (fields != null) { // decode only what the filters and the caller look at, worked out once
      List<String> wanted = new ArrayList<>(fields);
      wanted.addAll(filters.keySet());
      keys = VmView.keysToDecode(wanted);
    }
    for (Map.Entry<String, VmEntry> e : files.sorted().entrySet()) {
      Map<String, Object> view = keys == null ? e.getValue().view(identity) : e.getValue().partialView(identity, keys);
      if (matches(view, filters)) {
        out.add(VmView.select(view, fields));
      }
    }
    return out;
  }

  /** uuid → full view of every VM of the server, ordered by uuid (vminfod's {@code GET …/vms}). */
  public Map<String, Map<String, Object>> vms() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, VmEntry> e : files.sorted().entrySet()) {
      out.put(e.getKey(), e.getValue().view(identity));
    }
    return out;
  }

  public int size() {
    return files.size();
  }

  /** Sum of the in-memory blob sizes (for {@link VmStoreFootprint}). */
  long blobBytes() {
    return files.blobBytes();
  }

  /** Id of this server's last event, null before the first (vminfod's {@code info} message). */
  public String lastEventId() {
    return files.events.lastId();
  }

  /**
   * Registers a listener for this server's create / modify / delete events and returns the
   * current VMs (taken after registering, so nothing is missed; a change may show up in both).
   */
  public Subscription subscribe(VmListener listener) {
    files.events.add(listener);
    return new Subscription(files.events, listener, this::vms, ctx.nowIso());
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
    return files.locked(uuid, () -> {
      if (files.isClosed()) {
        throw VmException.io("server " + serverUuid() + " is not open", null);
      }
      if (files.get(uuid) != null || files.fileExistsLocked(uuid)) {
        throw VmException.exists(uuid);
      }
      files.write(uuid, null, vm);
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
    return files.locked(checkUuid(uuid), () -> step(uuid, vm -> VmUpdate.apply(vm, p)));
  }

  /** running, autoboot true; one write even if already running (spec §2.6). */
  public void start(String uuid) {
    files.locked(checkUuid(uuid), () -> setState(uuid, VmStates.RUNNING, true, null));
  }

  /** stopped, autoboot false; one write even if already stopped (spec §2.7). */
  public void stop(String uuid) {
    files.locked(checkUuid(uuid), () -> setState(uuid, VmStates.STOPPED, false, null));
  }

  /** Three writes: shutting_down (autoboot false), stopped, running (autoboot true) (§2.8). */
  public void reboot(String uuid) {
    files.locked(checkUuid(uuid), () -> {
      setState(uuid, VmStates.SHUTTING_DOWN, false, null);
      setState(uuid, VmStates.STOPPED, null, null);
      return setState(uuid, VmStates.RUNNING, true, null);
    });
  }

  /**
   * The CN booted (a mock reboot or power-on): as zones come up on a real CN, a VM with
   * {@code autoboot} is running and every other one is stopped ({@code autoboot} unchanged).
   * One write per VM that changes; {@code provisioning} and {@code failed} VMs are left as they are.
   */
  public void boot() {
    for (String uuid : files.sorted().keySet()) {
      files.locked(uuid, () -> {
        VmEntry e = files.get(uuid);
        if (e == null) {
          return false;
        }
        Map<String, Object> view = e.view(identity);
        Object state = view.get("state");
        if (VmStates.PROVISIONING.equals(state) || "failed".equals(state)) {
          return false;
        }
        String after = JsValues.truthy(view.get("autoboot")) ? VmStates.RUNNING : VmStates.STOPPED;
        return !after.equals(state) && setState(uuid, after, null, null);
      });
    }
  }

  /**
   * The VM dies on its own, with no task (docs/behaviour.md, VM events): as a zone whose init
   * exits, it is {@code stopped} with zone_state {@code installed}, {@code exit_status} and
   * {@code exit_timestamp} now; {@code autoboot} is unchanged. One write.
   */
  public void crash(String uuid, int exitStatus) {
    files.locked(checkUuid(uuid), () -> step(uuid, vm -> {
      VmStates.set(vm, VmStates.STOPPED, null, "installed");
      vm.put("exit_status", exitStatus);
      vm.put("exit_timestamp", ctx.nowIso());
      return true;
    }));
  }

  /** The states a VM may take on its own ({@link #changeStateOnItsOwn}). */
  public static final List<String> STATES_ON_ITS_OWN = List.of("running", "stopped", "failed");

  /** The VM changes state with no task (it booted, halted, or failed on its own); autoboot unchanged. One write. */
  public void changeStateOnItsOwn(String uuid, String state) {
    if (!STATES_ON_ITS_OWN.contains(state)) {
      throw VmException.invalid("state must be one of " + String.join(", ", STATES_ON_ITS_OWN) + ", got " + state);
    }
    files.locked(checkUuid(uuid), () -> setState(uuid, state, null, null));
  }

  /** {@link #kill(String, String)} with the default signal. */
  public void kill(String uuid) {
    kill(uuid, null);
  }

  /** D14: like stop but {@code autoboot} unchanged; one write. The signal is accepted and ignored. */
  public void kill(String uuid, String signal) {
    files.locked(checkUuid(uuid), () -> setState(uuid, VmStates.STOPPED, null, null));
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
    files.locked(checkUuid(uuid), () -> step(uuid, vm -> {
      VmSnapshots.add(vm, name, ctx.nowIso());
      return true;
    }));
  }

  /** Removes the named snapshot; none → {@code No snapshot named "<name>" for <uuid>}. */
  public void deleteSnapshot(String uuid, String name) {
    files.locked(checkUuid(uuid), () -> step(uuid, vm -> {
      VmSnapshots.delete(vm, name);
      return true;
    }));
  }

  /**
   * Spec §2.10: a running VM is stopped (1 write), newer snapshots are dropped (1 write if any),
   * and the VM is started again (1 write). A missing snapshot fails before any write.
   */
  public void rollbackSnapshot(String uuid, String name) {
    files.locked(checkUuid(uuid), () -> {
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
    files.locked(uuid, () -> {
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
    files.locked(checkUuid(uuid), () -> {
      files.deleteLocked(uuid);
      return null;
    });
  }

  // ---------------------------------------------------------------- disk → memory

  /**
   * Re-reads the directory now: files that appeared, vanished or whose mtime/size differ from
   * the in-memory copy become create / delete / modify events (creates first, then deletes,
   * then modifies, as the reference). The store's watcher or poller calls this; blocks on disk.
   */
  public void rescan() {
    files.rescan();
  }

  void loadAll() throws IOException {
    files.loadAll();
  }

  void markDirty(String uuidOrNull) {
    files.markDirty(uuidOrNull);
  }

  boolean polled() {
    return files.polled;
  }

  void setPolled(boolean polled) {
    files.polled = polled;
  }

  void close() {
    files.close();
  }

  boolean isClosed() {
    return files.isClosed();
  }

  // ---------------------------------------------------------------- internals

  private static String checkUuid(String uuid) {
    if (!Uuids.isUuid(uuid)) {
      throw VmException.invalid("uuid must be a lower-case UUID, got " + uuid);
    }
    return uuid;
  }

  private VmEntry require(String uuid) {
    VmEntry e = files.get(uuid);
    if (e == null) {
      throw VmException.notFound(uuid);
    }
    return e;
  }

  /** One load → change → write; no write if {@code change} returns false. VM lock held. */
  private boolean step(String uuid, Predicate<Map<String, Object>> change) {
    VmEntry before = require(uuid);
    Map<String, Object> vm = before.view(identity);
    if (!change.test(vm)) {
      return false;
    }
    files.write(uuid, before, vm);
    return true;
  }

  private boolean setState(String uuid, String state, Boolean autoboot, String zoneState) {
    return step(uuid, vm -> {
      VmStates.set(vm, state, autoboot, zoneState);
      return true;
    });
  }

  private static boolean matches(Map<String, Object> view, Map<String, ?> filters) {
    if (filters == null) {
      return true;
    }
    for (Map.Entry<String, ?> f : filters.entrySet()) {
      if (!view.containsKey(f.getKey()) || !JsValues.deepEqual(view.get(f.getKey()), f.getValue())) {
        return false;
      }
    }
    return true;
  }
}
