package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.json.JsValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One network the CN's NICs are on (spec net-agent-cmon-mockcloud.md §2.9): fetched with
 * {@code GET /networks/<uuid>}, re-fetched every {@code networkRefresh} (jittered) or on a
 * changefeed item, and when one of the fields NICs copy changed, every NIC on it that is
 * in step re-reads its NAPI record (that is how a new gateway or resolvers reach the VMs).
 *
 * <p>Deviation: the first fetch does not count as a change. The NICs that made us track the
 * network have just read their records, so the reference's second GET per NIC at start-up
 * (spec §7 item 12) is skipped.
 *
 * <p>404 stops the periodic fetches (a later changefeed item or bootstrap revives it); other
 * failures are retried after {@code napiRetry}. Confined to the CN's {@link CnLoop}.
 */
final class NetworkFsm extends CnLoop.Timed {
  static final List<String> WATCHED = List.of("gateway", "mtu", "netmask", "nic_tag", "resolvers", "routes", "vlan_id");

  enum State { REFRESH, WAITING, STOPPED }

  final String uuid;
  private final CnSync cn;
  private Map<String, Object> fields;
  State state = State.REFRESH;
  int watchers;
  private boolean busy;
  private boolean wantRefresh;
  /** When the last GET was sent. */
  long readSentAt;

  NetworkFsm(String uuid, CnSync cn) {
    this.uuid = uuid;
    this.cn = cn;
  }

  void start() {
    fetch();
  }

  /** Re-fetch now (changefeed, bootstrap); also revives a network stopped by a 404. */
  void refresh() {
    if (busy) {
      wantRefresh = true;
      return;
    }
    fetch();
  }

  /** The network was deleted (changefeed): no more fetches until something refreshes it. */
  void stop() {
    state = State.STOPPED;
    cn.loop.disarm(this);
  }

  @Override
  void onTimer() {
    if (!busy && state != State.STOPPED) {
      fetch();
    }
  }

  private void fetch() {
    cn.loop.disarm(this);
    state = State.REFRESH;
    busy = true;
    readSentAt = cn.loop.now();
    cn.napi(napi -> napi.fetchNetwork(uuid), (r, err) -> {
      busy = false;
      if (watchers <= 0) {
        return; // forgotten meanwhile
      }
      if (err == null && r.status() == 200) {
        cn.succeeded();
        Map<String, Object> f = new LinkedHashMap<>();
        for (String k : WATCHED) {
          f.put(k, r.bodyObject().get(k));
        }
        boolean changed = fields != null && !JsValues.deepEqual(fields, f);
        fields = f;
        state = State.WAITING;
        if (wantRefresh) {
          wantRefresh = false;
          fetch();
        } else {
          cn.loop.arm(this, cn.jitter(cn.options.networkRefresh().toMillis()));
        }
        if (changed) {
          cn.networkChanged(uuid);
        }
      } else if (err == null && r.status() == 404) {
        state = State.STOPPED;
        wantRefresh = false;
      } else {
        cn.failed("GET /networks/" + uuid, r, err);
        state = State.REFRESH;
        wantRefresh = false;
        cn.stats.retries++;
        cn.loop.arm(this, cn.napiRetryMs());
      }
    });
  }

  @Override
  public String toString() {
    return uuid + ":" + state;
  }
}
