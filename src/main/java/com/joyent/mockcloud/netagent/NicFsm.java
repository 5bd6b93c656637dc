package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.vm.VmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One tracked MAC (spec net-agent-cmon-mockcloud.md §2.8, the reference's NicFSM): what the CN
 * has ({@code local}), what NAPI has ({@code remote}, its {@code etag}), and the state machine
 * that brings them together.
 *
 * <pre>
 * REFRESH ──200──▶ UPDATE ──▶ UPDATE_LOCAL ──▶ UPDATE_NAPI ──▶ WAITING ──(1 h, network changed,
 *    │ 404, never seen → CREATE ──▶ UPDATE          │ PUT 200 → UPDATE       changefeed)──▶ REFRESH
 *    │ 404, seen → REMOVE_NIC ──▶ REMOVE_REBOOT ──▶ STOPPED
 * release(from) ──▶ RELEASE (DELETE If-Match) ──412──▶ RELEASE_REFRESH ──▶ RELEASE … ──▶ STOPPED
 * </pre>
 *
 * <p>At most one operation (an HTTP call or a VM file change) is in flight ({@code busy}).
 * Requests that arrive meanwhile — new local data, refresh, release, stop — are remembered and
 * honoured when it completes (a release during a POST waits for the POST, so POST always
 * precedes DELETE). Failed NAPI calls are retried after {@code napiRetry}, failed VM file
 * changes after {@code localRetry}; both forever.
 *
 * <p>Deviations from the reference (spec §2.14 and docs/net-agent.md): a NIC with neither local
 * nor NAPI data stops being tracked instead of idling; a PUT whose answer still differs in the
 * same way is not repeated at once (no PUT loop against a NAPI that ignores a field); the VM is
 * rebooted after losing a NIC only if it is running.
 *
 * <p>Threads: confined to the CN's {@link CnLoop}; completions are posted back to it.
 */
final class NicFsm extends CnLoop.Timed {
  enum State {
    REFRESH, CREATE, UPDATE, UPDATE_LOCAL, UPDATE_NAPI, WAITING, REMOVE_NIC, REMOVE_REBOOT, RELEASE,
    RELEASE_REFRESH, STOPPED
  }

  final String mac;
  private final CnSync cn;
  Map<String, Object> local;
  Map<String, Object> remote;
  String etag;
  /** The uuid (VM or CN) the NIC was released from; set while releasing. */
  String releasedFrom;
  /** The network whose changes this NIC follows (its NAPI {@code network_uuid}). */
  String network;
  boolean needVmUpdate;
  State state = State.REFRESH;
  private State timerState;
  private boolean busy;
  private boolean wantRefresh;
  private boolean wantUpdate;
  private boolean wantRelease;
  private boolean wantStop;
  private Map<String, Object> lastPut;
  /** When the last request that answers with the whole record (GET, POST, PUT) was sent. */
  long readSentAt;

  NicFsm(String mac, CnSync cn) {
    this.mac = mac;
    this.cn = cn;
  }

  void start() {
    enter(State.REFRESH);
  }

  boolean fetched() {
    return remote != null;
  }

  // ------------------------------------------------------------------ requests from outside

  /** New local data (from the VM list or sysinfo). Unchanged data changes nothing. */
  void setLocal(Map<String, Object> l) {
    if (state == State.STOPPED || removing(state)) {
      return;
    }
    boolean changed = releasedFrom != null || !JsValues.deepEqual(l, local);
    if (!changed) {
      return;
    }
    local = CompactMap.of(l);
    releasedFrom = null;
    wantRelease = false;
    if (busy) {
      wantUpdate = true;
      return;
    }
    switch (state) {
      case WAITING, UPDATE_LOCAL, UPDATE_NAPI, RELEASE, RELEASE_REFRESH -> enter(remote == null ? State.REFRESH : State.UPDATE);
      default -> { } // REFRESH/CREATE (maybe waiting to retry) use the new local when they run
    }
  }

  /** Re-read the NAPI record (timer, changefeed, network change). */
  void refresh() {
    if (state == State.STOPPED || removing(state) || releasing(state)) {
      return;
    }
    if (busy) {
      wantRefresh = true;
      return;
    }
    enter(State.REFRESH);
  }

  /** The NIC went away from {@code fromUuid} (a VM, or this CN): delete it in NAPI if still theirs. */
  void release(String fromUuid) {
    if (state == State.STOPPED || removing(state)) {
      return;
    }
    local = null;
    releasedFrom = fromUuid;
    if (releasing(state)) {
      return; // already on its way out
    }
    if (busy) {
      wantRelease = true;
      return;
    }
    enter(State.RELEASE);
  }

  /** Stop tracking without touching NAPI (the VM became do_not_inventory, or the agent stops). */
  void stop() {
    if (state == State.STOPPED) {
      return;
    }
    if (busy) {
      wantStop = true;
      return;
    }
    enter(State.STOPPED);
  }

  @Override
  void onTimer() {
    if (!busy && state != State.STOPPED && timerState != null) {
      State s = timerState;
      timerState = null;
      enter(s);
    }
  }

  // ------------------------------------------------------------------ the machine

  private void enter(State s) {
    cn.loop.disarm(this);
    timerState = null;
    state = s;
    switch (s) {
      case REFRESH -> get(false);
      case CREATE -> create();
      case UPDATE -> decide();
      case UPDATE_LOCAL -> updateLocal();
      case UPDATE_NAPI -> updateNapi();
      case WAITING -> later(State.REFRESH, cn.jitter(cn.options.nicRefresh().toMillis()));
      case REMOVE_NIC -> removeNic();
      case REMOVE_REBOOT -> reboot();
      case RELEASE -> releaseDelete();
      case RELEASE_REFRESH -> get(true);
      case STOPPED -> stopped();
    }
  }

  /** An operation finished: go to {@code next} (after {@code delayMs} if > 0), unless a request overrides. */
  private void finish(State next, long delayMs) {
    busy = false;
    if (state == State.STOPPED) {
      return;
    }
    if (wantStop) {
      wantStop = false;
      enter(State.STOPPED);
      return;
    }
    if (wantRelease && !removing(next)) {
      wantRelease = false;
      enter(State.RELEASE);
      return;
    }
    if (removing(next) || next == State.STOPPED || releasing(next)) {
      wantRefresh = false;
      wantUpdate = false;
    } else if (wantRefresh) {
      wantRefresh = false;
      wantUpdate = false;
      enter(State.REFRESH);
      return;
    } else if (wantUpdate) {
      wantUpdate = false;
      if (next == State.WAITING) {
        next = remote == null ? State.REFRESH : State.UPDATE;
      } // a retry keeps its delay: it runs with the new local data anyway
    }
    if (delayMs > 0) {
      cn.stats.retries++;
      state = next;
      later(next, delayMs);
    } else {
      enter(next);
    }
  }

  private void later(State s, long delayMs) {
    timerState = s;
    cn.loop.arm(this, delayMs);
  }

  private void get(boolean releasing) {
    busy = true;
    readSentAt = cn.loop.now();
    cn.napi(napi -> napi.fetchNic(mac), (r, err) -> {
      if (err != null || (r.status() != 200 && r.status() != 404) || (r.status() == 200 && !isNic(r))) {
        cn.failed("GET /nics/" + NicFields.pathMac(mac), r, err);
        finish(releasing ? State.RELEASE_REFRESH : State.REFRESH, cn.napiRetryMs());
      } else if (r.status() == 200) {
        cn.succeeded();
        setRemote(r.bodyObject(), r.header("etag"));
        finish(releasing ? State.RELEASE : State.UPDATE, 0);
      } else if (releasing) {
        clearRemote();
        finish(local != null ? State.REFRESH : State.STOPPED, 0);
      } else if (remote == null) {
        finish(local == null ? State.STOPPED : State.CREATE, 0);
      } else {
        finish(State.REMOVE_NIC, 0);
      }
    });
  }

  private void create() {
    if (local == null) {
      enter(remote == null ? State.STOPPED : State.WAITING);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("check_owner", false);
    body.putAll(local);
    body.put("mac", mac);
    busy = true;
    readSentAt = cn.loop.now();
    cn.napi(napi -> napi.postNic(body), (r, err) -> {
      if (err == null && r.isSuccessful() && isNic(r)) {
        cn.succeeded();
        setRemote(r.bodyObject(), r.header("etag"));
        finish(State.UPDATE, 0);
      } else {
        // 422 (duplicate IP/MAC…) included: retried for ever, through a fresh GET.
        cn.failed("POST /nics " + mac, r, err);
        finish(State.REFRESH, cn.napiRetryMs());
      }
    });
  }

  private void decide() {
    if (local == null) {
      enter(State.WAITING);
      return;
    }
    if (remote == null) {
      enter(State.REFRESH);
      return;
    }
    if ("other".equals(remote.get("belongs_to_type")) && cn.admin.equals(remote.get("belongs_to_uuid"))
        && "server".equals(local.get("belongs_to_type"))) {
      enter(State.UPDATE_NAPI); // booter's (create-server's) admin NIC: claim it for this CN
    } else if (!Objects.equals(local.get("belongs_to_uuid"), remote.get("belongs_to_uuid"))) {
      enter(State.REMOVE_NIC); // NAPI gives it to someone else: the local side loses
    } else {
      enter(State.UPDATE_LOCAL);
    }
  }

  private void updateLocal() {
    Map<String, Object> d = NicFields.diff(NicFields.REMOTE, remote, local);
    boolean vmLevel = needVmUpdate;
    needVmUpdate = false;
    if (d.isEmpty() && !vmLevel) {
      enter(State.UPDATE_NAPI);
      return;
    }
    Object type = local.get("belongs_to_type");
    String owner = String.valueOf(local.get("belongs_to_uuid"));
    if ("server".equals(type) && cn.cn.equals(owner)) {
      // The CN's own NICs cannot be changed from here (the reference logs "unsupported").
      if (d.isEmpty()) {
        cn.refreshServer();
      }
      enter(State.UPDATE_NAPI);
      return;
    }
    VmTracker vm = "zone".equals(type) ? cn.vmTrackers.get(owner) : null;
    if (vm == null) {
      enter(State.WAITING);
      return;
    }
    if (d.isEmpty()) {
      vm.reconcile();
      enter(State.UPDATE_NAPI);
      return;
    }
    busy = true;
    cn.updateVmNic(owner, mac, d, remote, err -> {
      if (err == null) {
        merge(d);
        vm.reconcile();
        finish(State.UPDATE_NAPI, 0);
      } else if (err instanceof VmException e && e.kind() == VmException.Kind.NOT_FOUND) {
        finish(State.WAITING, 0); // the VM is gone; the VM list will release the NIC
      } else {
        needVmUpdate |= vmLevel;
        cn.localFailed("update NIC " + mac + " of VM " + owner, err);
        finish(State.UPDATE_LOCAL, cn.options.localRetry().toMillis());
      }
    });
  }

  /** What we wrote into the VM file is now what the CN has (vmadm drops false flags). */
  private void merge(Map<String, Object> d) {
    Map<String, Object> l = new LinkedHashMap<>(local);
    for (Map.Entry<String, Object> e : d.entrySet()) {
      if (Boolean.FALSE.equals(e.getValue()) && NicFields.ANTI_SPOOF.contains(e.getKey())) {
        l.remove(e.getKey());
      } else {
        l.put(e.getKey(), e.getValue());
      }
    }
    local = CompactMap.of(l);
  }

  private void updateNapi() {
    if (local == null) {
      enter(State.WAITING);
      return;
    }
    Map<String, Object> d = NicFields.diff(NicFields.LOCAL, local, remote);
    Map<String, Object> previous = lastPut;
    lastPut = null;
    if (d.isEmpty()) {
      enter(State.WAITING);
      return;
    }
    if (previous != null && previous.equals(d)) {
      cn.log.debug("net-agent of {}: NAPI kept {} of NIC {} after a PUT; not repeating it until the next refresh",
          cn.cn, d.keySet(), mac);
      enter(State.WAITING);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>(d);
    body.put("check_owner", false);
    busy = true;
    readSentAt = cn.loop.now();
    cn.napi(napi -> napi.putNic(mac, body), (r, err) -> {
      if (err == null && r.status() == 200 && isNic(r)) {
        cn.succeeded();
        setRemote(r.bodyObject(), r.header("etag"));
        lastPut = d;
        finish(State.UPDATE, 0);
      } else if (err == null && r.status() == 404) {
        finish(State.REMOVE_NIC, 0);
      } else {
        cn.failed("PUT /nics/" + NicFields.pathMac(mac), r, err);
        finish(State.UPDATE_NAPI, cn.napiRetryMs());
      }
    });
  }

  private void removeNic() {
    String owner = local == null ? null : String.valueOf(local.get("belongs_to_uuid"));
    if (local == null || !"zone".equals(local.get("belongs_to_type")) || !cn.vmTrackers.containsKey(owner)) {
      enter(State.STOPPED);
      return;
    }
    busy = true;
    cn.vmFileChange(owner, "remove NIC " + mac, vms -> vms.update(owner, Map.of("remove_nics", List.of(mac))), err -> {
      if (err == null) {
        finish(State.REMOVE_REBOOT, 0);
      } else if (err instanceof VmException e && e.kind() == VmException.Kind.NOT_FOUND) {
        finish(State.STOPPED, 0);
      } else {
        cn.localFailed("remove NIC " + mac + " from VM " + owner, err);
        finish(State.REMOVE_NIC, cn.napiRetryMs());
      }
    });
  }

  private void reboot() {
    String owner = String.valueOf(local.get("belongs_to_uuid"));
    busy = true;
    cn.vmFileChange(owner, "reboot", vms -> {
      // Only a running VM is rebooted (vmadm refuses to reboot a stopped one).
      if ("running".equals(vms.load(owner, List.of("state"), true).get("state"))) {
        vms.reboot(owner);
      }
    }, err -> {
      if (err == null || (err instanceof VmException e && e.kind() == VmException.Kind.NOT_FOUND)) {
        finish(State.STOPPED, 0);
      } else {
        cn.localFailed("reboot VM " + owner, err);
        finish(State.REMOVE_REBOOT, cn.napiRetryMs());
      }
    });
  }

  private void releaseDelete() {
    if (local != null) {
      enter(State.UPDATE); // given back before the DELETE went out
      return;
    }
    if (remote == null) {
      enter(State.RELEASE_REFRESH);
      return;
    }
    Object napiState = remote.get("state");
    if (!Objects.equals(releasedFrom, remote.get("belongs_to_uuid"))
        || !("running".equals(napiState) || "stopped".equals(napiState)) || etag == null) {
      enter(State.STOPPED); // someone else's now, still provisioning, or no etag: not ours to delete
      return;
    }
    busy = true;
    cn.napi(napi -> napi.removeNic(mac, etag), (r, err) -> {
      if (err == null && (r.isSuccessful() || r.status() == 404)) {
        cn.succeeded();
        clearRemote();
        finish(local != null ? State.REFRESH : State.STOPPED, 0);
      } else if (err == null && r.status() == 412) {
        finish(State.RELEASE_REFRESH, 0);
      } else {
        cn.failed("DELETE /nics/" + NicFields.pathMac(mac), r, err);
        finish(State.RELEASE, cn.napiRetryMs());
      }
    });
  }

  private void stopped() {
    cn.watchNetwork(this, null);
    cn.forgetNic(this);
    local = null;
    remote = null;
    etag = null;
  }

  private void setRemote(Map<String, Object> body, String newEtag) {
    Map<String, Object> kept = NicFields.keep(body);
    if (remote == null || !JsValues.deepEqual(remote.get("routes"), kept.get("routes"))
        || !JsValues.deepEqual(remote.get("resolvers"), kept.get("resolvers"))) {
      needVmUpdate = true;
    }
    remote = kept;
    if (newEtag != null) {
      etag = newEtag;
    }
    cn.watchNetwork(this, kept.get("network_uuid") instanceof String n ? n : null);
  }

  private void clearRemote() {
    remote = null;
    etag = null;
  }

  /**
   * A 2xx whose body is not a NIC (a proxy's page, an empty body) is treated as a failure: taken
   * as a record it would look owned by nobody and make the VM lose its NIC.
   */
  private static boolean isNic(ApiResponse r) {
    return r.bodyObject().get("belongs_to_uuid") instanceof String;
  }

  private static boolean removing(State s) {
    return s == State.REMOVE_NIC || s == State.REMOVE_REBOOT;
  }

  private static boolean releasing(State s) {
    return s == State.RELEASE || s == State.RELEASE_REFRESH;
  }

  /** For tests and stats: state plus what is pending. */
  @Override
  public String toString() {
    return mac + ":" + state + (busy ? "(busy)" : "");
  }

  /** Exposed for {@link VmTracker}: the NAPI record's value, or null. */
  Object remoteValue(String key) {
    return remote == null ? null : remote.get(key);
  }
}
