package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmEvent;
import com.joyent.mockcloud.vm.VmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one CN's net-agent and the glue between its parts: the tracked NICs
 * ({@link NicFsm}, by MAC), networks ({@link NetworkFsm}), aggregations ({@link AggrFsm}) and
 * VMs ({@link VmTracker}); the debounced VM-list pass ({@code updateVMs} of the reference,
 * spec §2.7); the CN's own NICs from sysinfo (the reference's ServerFSM, §2.10); and the
 * reactions to changefeed frames (§2.4).
 *
 * <p>Every method runs on the CN's {@link CnLoop} (confinement, no locks), except
 * {@link #onVmEvent}, which the VM store calls on its executor and which only posts. Disk
 * work (sysinfo, VM files) runs on the worker pool; NAPI calls go through its {@link NapiApi}.
 * Failures are counted; the first of a run is logged at WARN, the rest at DEBUG until a
 * call succeeds again.
 */
final class CnSync {
  static final Logger LOG = LoggerFactory.getLogger(NetAgent.class);
  /** VM fields whose change means the VM's NICs must be looked at again (spec §2.3). */
  private static final Set<String> VM_TRIGGERS = Set.of("resolvers", "nics", "owner_uuid", "routes", "state",
      "do_not_inventory");

  /** A change of a VM file, run on the worker pool. */
  interface VmFileOp {
    void run(ServerVms vms);
  }

  final String cn;
  final String admin;
  final CnLoop loop;
  final NetAgentOptions options;
  final ServerVms vms;
  final Logger log = LOG;
  final Counters stats = new Counters();
  private final ServerDirectory dir;
  private final NapiApi napi;
  private final Executor worker;

  final Map<String, NicFsm> nics = new HashMap<>();
  final Map<String, NetworkFsm> networks = new HashMap<>(4);
  final Map<String, AggrFsm> aggrs = new HashMap<>(0);
  final Map<String, VmTracker> vmTrackers = new HashMap<>();
  /**
   * The shared changefeed's index this CN announces its MACs and networks to (mode
   * {@code shared}), or null. Set on the loop before {@link #begin()}.
   */
  ChangefeedRoutes routes;
  private Set<String> serverMacs = Set.of();
  private long lastVmsUpdate = Long.MIN_VALUE / 2;
  private boolean vmsUpdatePending;
  private boolean serverLoading;
  private boolean serverAgain;
  private boolean serverListed;
  private int failuresInARow;

  /** Counters, written on the loop only, readable from any thread. */
  static final class Counters {
    volatile long requests;
    volatile long failures;
    volatile long retries;
    volatile int nics;
    volatile boolean ready;
    /** Changefeed change items handed to this CN (its own socket's, or routed by the shared one). */
    volatile long items;
  }

  CnSync(String cn, String admin, CnLoop loop, NetAgentOptions options, ServerVms vms, ServerDirectory dir,
      NapiApi napi, Executor worker) {
    this.cn = cn;
    this.admin = admin;
    this.loop = loop;
    this.options = options;
    this.vms = vms;
    this.dir = dir;
    this.napi = napi;
    this.worker = worker;
  }

  /** First pass after start-up: the CN's NICs, then its VMs' NICs. */
  void begin() {
    stats.ready = true;
    refreshServer();
    requestVmsUpdate();
  }

  // ------------------------------------------------------------------ VM events → VM-list pass

  /** VM store callback (store executor): decide whether the VM list must be looked at. */
  void onVmEvent(VmEvent e) {
    if (triggers(e)) {
      loop.post(this::requestVmsUpdate);
    }
  }

  static boolean triggers(VmEvent e) {
    if (e.type() != VmEvent.Type.MODIFY) {
      return e.type() == VmEvent.Type.DELETE || !JsValues.truthy(e.vm().get("do_not_inventory"));
    }
    boolean dni = JsValues.truthy(e.vm().get("do_not_inventory"));
    for (var c : e.changes()) {
      String top = c.path().isEmpty() ? null : c.path().get(0);
      if ("do_not_inventory".equals(top) || (!dni && VM_TRIGGERS.contains(top))) {
        return true;
      }
    }
    return false;
  }

  /** Debounce: passes at least {@code vmsDebounce} apart, the first at once, requests coalesce. */
  void requestVmsUpdate() {
    if (vmsUpdatePending || !stats.ready) {
      return;
    }
    vmsUpdatePending = true;
    long wait = lastVmsUpdate + options.vmsDebounce().toMillis() - loop.now();
    if (wait <= 0) {
      loop.post(this::runVmsUpdate);
    } else {
      loop.later(wait, this::runVmsUpdate);
    }
  }

  private void runVmsUpdate() {
    vmsUpdatePending = false;
    lastVmsUpdate = loop.now();
    // Decode only what tracking reads: at 10 VMs a CN and 10,000 CNs this runs 100,000 times
    // after start-up.
    Map<String, Map<String, Object>> all = new LinkedHashMap<>();
    for (Map<String, Object> vm : vms.lookup(Map.of(), VM_FIELDS)) {
      all.put((String) vm.get("uuid"), vm);
    }
    updateVms(all);
  }

  /** The VM keys {@link #updateVms} and {@link LocalNics#ofVm} read. */
  static final List<String> VM_FIELDS = List.of("uuid", "owner_uuid", "state", "nics", "do_not_inventory");

  /** The reference's {@code updateVMs}: track new VMs and NICs, release what went away. */
  void updateVms(Map<String, Map<String, Object>> all) {
    Set<String> present = new HashSet<>();
    for (Map.Entry<String, Map<String, Object>> e : all.entrySet()) {
      String uuid = e.getKey();
      Map<String, Object> vm = e.getValue();
      VmTracker t = vmTrackers.get(uuid);
      if (JsValues.truthy(vm.get("do_not_inventory"))) {
        if (t != null) { // migrating away: stop tracking, delete nothing
          vmTrackers.remove(uuid);
          for (String mac : t.macs) {
            NicFsm n = nics.get(mac);
            if (n != null) {
              n.stop();
            }
          }
        }
        continue;
      }
      present.add(uuid);
      if (t == null) {
        t = new VmTracker(uuid, this);
        vmTrackers.put(uuid, t);
      }
      Map<String, Map<String, Object>> locals = LocalNics.ofVm(vm, cn);
      for (Map.Entry<String, Map<String, Object>> l : locals.entrySet()) {
        nicFor(l.getKey()).setLocal(l.getValue());
      }
      for (String old : t.macs) {
        if (!locals.containsKey(old) && nics.get(old) != null) {
          nics.get(old).release(uuid);
        }
      }
      t.macs = List.copyOf(locals.keySet());
      t.reconcile();
    }
    for (VmTracker t : List.copyOf(vmTrackers.values())) {
      if (!present.contains(t.uuid)) {
        vmTrackers.remove(t.uuid);
        for (String mac : t.macs) {
          NicFsm n = nics.get(mac);
          if (n != null) {
            n.release(t.uuid);
          }
        }
      }
    }
    stats.nics = nics.size();
  }

  // ------------------------------------------------------------------ the CN's own NICs

  /** Reload sysinfo (worker pool) and bring the CN's NICs and aggregations in line with it. */
  void refreshServer() {
    if (serverLoading) {
      serverAgain = true;
      return;
    }
    serverLoading = true;
    CompletableFuture.supplyAsync(() -> {
      try {
        return dir.readSysinfo();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, worker).whenComplete((s, err) -> loop.post(() -> {
      serverLoading = false;
      if (err != null) {
        localFailed("load " + dir.sysinfoFile(), err);
        stats.retries++;
        loop.later(napiRetryMs(), this::refreshServer);
        return;
      }
      applySysinfo(s);
      if (serverAgain) {
        serverAgain = false;
        refreshServer();
      }
    }));
  }

  void applySysinfo(Map<String, Object> sysinfo) {
    LocalNics.ServerNics s = LocalNics.ofSysinfo(sysinfo, cn, admin);
    for (Map.Entry<String, Map<String, Object>> e : s.nics().entrySet()) {
      nicFor(e.getKey()).setLocal(e.getValue());
    }
    for (String old : serverMacs) {
      if (!s.nics().containsKey(old) && nics.get(old) != null) {
        nics.get(old).release(cn);
      }
    }
    serverMacs = Set.copyOf(s.nics().keySet());
    if (!serverListed) {
      serverListed = true;
      releaseStaleServerNics();
    }
    for (Map.Entry<String, Map<String, Object>> e : s.aggregations().entrySet()) {
      AggrFsm a = aggrs.get(e.getKey());
      if (a == null) {
        a = new AggrFsm(e.getKey(), this);
        aggrs.put(e.getKey(), a);
        a.setLocal(e.getValue());
        a.start();
      } else {
        a.setLocal(e.getValue());
      }
    }
    for (AggrFsm a : List.copyOf(aggrs.values())) {
      if (a.local != null && !s.aggregations().containsKey(a.name)) {
        a.release();
      }
    }
    stats.nics = nics.size();
  }

  /**
   * Once after start-up: NICs NAPI has on this CN as {@code server} NICs that sysinfo no longer
   * lists (removed while the agent was down) are released like any NIC that went away. The
   * reference only notices removals between two sysinfo loads of one process, so it never
   * deletes these (spec §8 case 40 expects the DELETE after a restart). One list GET per CN.
   */
  private void releaseStaleServerNics() {
    napi(napi -> napi.fetchServerNics(cn), (r, err) -> {
      if (err == null && r.status() >= 400 && r.status() < 500) {
        // A NAPI (or stand-in) that refuses the filter: this check is an extra, not worth a loop.
        LOG.atInfo().addKeyValue("server_uuid", cn).log("net-agent of {}: NAPI refused the server NIC list ({});"
            + " NICs removed from sysinfo while stopped stay in NAPI", cn, r.status());
        return;
      }
      if (err != null || !r.isSuccessful()) {
        failed("GET /nics?belongs_to_uuid=" + cn, r, err);
        stats.retries++;
        loop.later(napiRetryMs(), this::releaseStaleServerNics);
        return;
      }
      succeeded();
      for (Object o : r.bodyList()) {
        if (o instanceof Map<?, ?> m && m.get("mac") instanceof String mac
            && !serverMacs.contains(mac) && !nics.containsKey(mac) && cn.equals(m.get("belongs_to_uuid"))) {
          NicFsm n = new NicFsm(mac, this);
          track(n);
          n.release(cn); // RELEASE_REFRESH: GET for the etag, then DELETE with If-Match
        }
      }
      stats.nics = nics.size();
    });
  }

  // ------------------------------------------------------------------ changefeed

  /**
   * Bootstrap frame (every (re)connect): re-read everything of the kinds it names that was last
   * read before the registration went out, since a change in between published nothing to us.
   * What was read after it is already current, so at start-up — where the first GETs and the
   * registration race — NICs are not all fetched twice as in the reference.
   */
  void onBootstrap(List<String> resources, long registeredAt) {
    for (String r : resources) {
      switch (r) {
        case "network" -> List.copyOf(networks.values()).stream().filter(n -> n.readSentAt <= registeredAt)
            .forEach(NetworkFsm::refresh);
        case "nic" -> List.copyOf(nics.values()).stream().filter(n -> n.readSentAt <= registeredAt)
            .forEach(NicFsm::refresh);
        case "aggregation" -> List.copyOf(aggrs.values()).forEach(AggrFsm::refresh);
        default -> { }
      }
    }
  }

  /** One change item (spec §2.4 table). */
  @SuppressWarnings("unchecked")
  void onChange(Map<String, Object> item) {
    stats.items++;
    Map<String, Object> kind = item.get("changeKind") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    Object resource = kind.get("resource");
    List<?> subs = kind.get("subResources") instanceof List<?> l ? l : List.of();
    if (!(item.get("changedResourceId") instanceof String id)) {
      return;
    }
    if ("nic".equals(resource)) {
      String mac = id.toLowerCase(Locale.ROOT);
      NicFsm n = nics.get(mac);
      if (n != null) {
        n.refresh();
      } else if (cn.equals(item.get("cn_uuid")) && !subs.contains("delete")) {
        nicFor(mac); // a NIC for this CN we have no local data for yet
      }
    } else if ("network".equals(resource)) {
      NetworkFsm n = networks.get(id);
      if (n != null) {
        if (subs.contains("delete")) {
          n.stop();
        } else {
          n.refresh();
        }
      }
    } else if ("aggregation".equals(resource)) {
      String name = item.get("name") instanceof String s ? s : id.startsWith(cn + "-") ? id.substring(cn.length() + 1) : id;
      AggrFsm a = aggrs.get(name);
      if (a != null) {
        a.refresh();
      } else if (cn.equals(item.get("belongs_to_uuid")) && !subs.contains("delete")) {
        a = new AggrFsm(name, this);
        aggrs.put(name, a);
        a.start();
      }
    }
    stats.nics = nics.size();
  }

  // ------------------------------------------------------------------ services for the FSMs

  NicFsm nicFor(String mac) {
    NicFsm n = nics.get(mac);
    if (n == null) {
      n = new NicFsm(mac, this);
      track(n);
      n.start();
    }
    return n;
  }

  /** Puts the NIC in the map and, in shared mode, announces its MAC before anything is read. */
  private void track(NicFsm n) {
    nics.put(n.mac, n);
    if (routes != null) {
      routes.addNic(n.mac, this);
    }
  }

  void forgetNic(NicFsm n) {
    if (nics.remove(n.mac, n) && routes != null) {
      routes.removeNic(n.mac, this);
    }
    stats.nics = nics.size();
  }

  /** The agent stopped (its loop's last job): leave the shared changefeed's index. */
  void leaveRoutes() {
    if (routes != null) {
      routes.removeCn(this, nics.keySet(), networks.keySet());
      routes = null;
    }
  }

  /** Follow {@code uuid} for this NIC (null: follow nothing). */
  void watchNetwork(NicFsm nic, String uuid) {
    if (Objects.equals(nic.network, uuid)) {
      return;
    }
    if (nic.network != null) {
      NetworkFsm old = networks.get(nic.network);
      if (old != null && --old.watchers <= 0) {
        old.stop();
        networks.remove(old.uuid);
        if (routes != null) {
          routes.removeNetwork(old.uuid, this);
        }
      }
    }
    nic.network = uuid;
    if (uuid != null) {
      NetworkFsm n = networks.get(uuid);
      if (n == null) {
        n = new NetworkFsm(uuid, this);
        networks.put(uuid, n);
        if (routes != null) {
          routes.addNetwork(uuid, this);
        }
        n.watchers++;
        n.start();
      } else {
        n.watchers++;
      }
    }
  }

  /**
   * Every NIC on the network re-reads its record. The reference refreshes only NICs that are
   * idle ({@code waiting}); a busy one here re-reads when its operation ends, so a change that
   * lands mid-PUT is not lost until the next hourly refresh.
   */
  void networkChanged(String uuid) {
    for (NicFsm n : List.copyOf(nics.values())) {
      if (uuid.equals(n.network)) {
        n.refresh();
      }
    }
  }

  /** A NAPI call whose completion runs on the loop. */
  void napi(Function<NapiApi, CompletableFuture<ApiResponse>> call, BiConsumer<ApiResponse, Throwable> then) {
    stats.requests++;
    call.apply(napi).whenComplete((r, err) -> loop.post(() -> then.accept(r, err)));
  }

  /** {@code update_nics} of one NIC with the NAPI values {@code d}; {@code then} runs on the loop. */
  void updateVmNic(String vm, String mac, Map<String, Object> d, Map<String, Object> remote,
      Consumer<Throwable> then) {
    Map<String, Object> nic = new LinkedHashMap<>();
    nic.put("mac", mac);
    nic.putAll(d);
    if (nic.containsKey("ip") && !nic.containsKey("netmask")) {
      // vmadm derives "ips" from ip + netmask: use NAPI's netmask (spec §2.14, no crash).
      Object mask = remote.get("netmask");
      if (mask instanceof String) {
        nic.put("netmask", mask);
      } else {
        nic.remove("ip");
      }
    }
    if (nic.size() == 1) {
      loop.post(() -> then.accept(null));
      return;
    }
    vmFileChange(vm, "update NIC " + mac, v -> v.update(vm, Map.of("update_nics", List.of(nic))), then);
  }

  /** Runs a VM file change on the worker pool; {@code then} gets null or the error, on the loop. */
  void vmFileChange(String vm, String what, VmFileOp op, Consumer<Throwable> then) {
    CompletableFuture.runAsync(() -> op.run(vms), worker).whenComplete((v, err) -> {
      Throwable cause = err instanceof CompletionException && err.getCause() != null
          ? err.getCause() : err;
      loop.post(() -> then.accept(cause));
    });
  }

  long napiRetryMs() {
    return options.napiRetry().toMillis();
  }

  /** A periodic delay minus up to 10 % at random, so thousands of CNs never fire together. */
  long jitter(long periodMs) {
    return periodMs - (long) (ThreadLocalRandom.current().nextDouble() * periodMs * 0.1);
  }

  void succeeded() {
    if (failuresInARow > 0) {
      LOG.atInfo().addKeyValue("server_uuid", cn).log("net-agent of {}: NAPI answers again after {} failures",
          cn, failuresInARow);
      failuresInARow = 0;
    }
  }

  void failed(String call, ApiResponse r, Throwable err) {
    stats.failures++;
    String why = err != null ? String.valueOf(err.getCause() != null ? err.getCause() : err)
        : r.status() + (r.restCode() != null ? " " + r.restCode() : "");
    if (++failuresInARow == 1) {
      LOG.atWarn().addKeyValue("server_uuid", cn).log("net-agent of {}: {} failed: {} (retrying every {} ms)",
          cn, call, why, napiRetryMs());
    } else {
      LOG.atDebug().addKeyValue("server_uuid", cn).log("net-agent of {}: {} failed ({} in a row): {}",
          cn, call, failuresInARow, why);
    }
  }

  void localFailed(String what, Throwable err) {
    stats.failures++;
    LOG.atWarn().addKeyValue("server_uuid", cn).log("net-agent of {}: {} failed: {}", cn, what,
        err instanceof VmException ? err.getMessage() : String.valueOf(err));
  }

  /** For tests: {@code mac → state}. Loop only. */
  Map<String, String> nicStates() {
    Map<String, String> out = new TreeMap<>();
    nics.forEach((k, v) -> out.put(k, v.state.name()));
    return out;
  }

  List<String> networkUuids() {
    return new ArrayList<>(networks.keySet());
  }
}
