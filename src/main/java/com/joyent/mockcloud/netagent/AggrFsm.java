package com.joyent.mockcloud.netagent;

import java.util.Map;
import java.util.Objects;

/**
 * One link aggregation of the CN (spec net-agent-cmon-mockcloud.md §2.10, the reference's
 * AggrFSM), id {@code <cn>-<name>}: {@code GET /aggregations/<id>}; 404 on the first fetch →
 * {@code POST /aggregations}; 404 later → stop; periodic re-GET every {@code aggrRefresh}. No
 * field is compared, so there is never a PUT. An aggregation that left sysinfo is released:
 * {@code DELETE} with {@code If-Match}, only if NAPI still has it on this CN (the reference
 * never releases them; spec §2.10 calls that a gap). Confined to the CN's {@link CnLoop}.
 */
final class AggrFsm extends CnLoop.Timed {
  final String name;
  final String id;
  private final CnSync cn;
  Map<String, Object> local;
  private String etag;
  private Object remoteOwner;
  private boolean seen;
  private boolean busy;
  private boolean releasing;
  private boolean stopped;
  private boolean wantRefresh;

  AggrFsm(String name, CnSync cn) {
    this.name = name;
    this.id = cn.cn + "-" + name;
    this.cn = cn;
  }

  void start() {
    get();
  }

  void setLocal(Map<String, Object> l) {
    local = l;
    releasing = false;
  }

  void refresh() {
    if (stopped) {
      return;
    }
    if (busy) {
      wantRefresh = true;
      return;
    }
    get();
  }

  void release() {
    local = null;
    releasing = true;
    if (!busy && !stopped) {
      delete();
    }
  }

  void stop() {
    stopped = true;
    cn.loop.disarm(this);
    cn.aggrs.remove(name, this);
  }

  @Override
  void onTimer() {
    if (busy || stopped) {
      return;
    }
    if (releasing && seen) {
      delete();
    } else {
      get();
    }
  }

  private void get() {
    cn.loop.disarm(this);
    busy = true;
    cn.napi(napi -> napi.fetchAggregation(id), (r, err) -> {
      busy = false;
      if (stopped) {
        return;
      }
      if (err == null && r.status() == 200) {
        cn.succeeded();
        seen = true;
        etag = r.header("etag");
        remoteOwner = r.bodyObject().get("belongs_to_uuid");
        next();
      } else if (err == null && r.status() == 404) {
        if (!seen && !releasing && local != null) {
          create();
        } else {
          stop();
        }
      } else {
        cn.failed("GET /aggregations/" + id, r, err);
        retry();
      }
    });
  }

  private void create() {
    busy = true;
    cn.napi(napi -> napi.postAggregation(local), (r, err) -> {
      busy = false;
      if (stopped) {
        return;
      }
      if (err == null && r.isSuccessful()) {
        cn.succeeded();
        seen = true;
        etag = r.header("etag");
        remoteOwner = r.bodyObject().get("belongs_to_uuid");
        next();
      } else {
        cn.failed("POST /aggregations " + id, r, err);
        retry();
      }
    });
  }

  private void delete() {
    if (!Objects.equals(cn.cn, remoteOwner) || etag == null) {
      stop();
      return;
    }
    busy = true;
    cn.napi(napi -> napi.removeAggregation(id, etag), (r, err) -> {
      busy = false;
      if (err == null && (r.isSuccessful() || r.status() == 404)) {
        cn.succeeded();
        stop();
      } else if (err == null && r.status() == 412) {
        get(); // re-read, then next() deletes with the new etag
      } else {
        cn.failed("DELETE /aggregations/" + id, r, err);
        retry();
      }
    });
  }

  private void next() {
    if (releasing) {
      delete();
    } else if (wantRefresh) {
      wantRefresh = false;
      get();
    } else {
      cn.loop.arm(this, cn.jitter(cn.options.aggrRefresh().toMillis()));
    }
  }

  private void retry() {
    cn.stats.retries++;
    cn.loop.arm(this, cn.napiRetryMs());
  }
}
