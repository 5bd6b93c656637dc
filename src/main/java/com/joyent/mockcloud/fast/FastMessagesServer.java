package com.joyent.mockcloud.fast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * fast-messages 2.0's server, as FWAPI runs it (docs/reference/fast-protocol.md §4): clients call
 * {@code messages} with their {@code client_id} and get the sync state record, then every message
 * {@link #send} broadcasts — to every connected client alike, with no acknowledgement or replay.
 * A second {@code messages} call with a known id ends the first. {@code ping} answers END.
 *
 * <p>One difference: fast-messages keeps a client whose socket dropped (its writes go nowhere)
 * until it registers again; this one forgets it when its connection closes, so
 * {@link #clients()} lists only live ones.
 */
public final class FastMessagesServer {
  private final String serverId;
  private final Map<String, FastCall> clients = new ConcurrentHashMap<>();
  private final AtomicLong lastId = new AtomicLong();
  private volatile String lastReqId;

  /** Registers {@code messages} and {@code ping} on {@code server}; {@code serverId} is FWAPI's hostname. */
  public FastMessagesServer(FastServer server, String serverId) {
    this.serverId = serverId;
    server.method("messages", this::messages).method("ping", FastMessagesServer::ping);
    server.onClose(ch -> clients.values().removeIf(c -> !c.isOpen()));
  }

  /** The ids of the clients connected now, sorted. */
  public List<String> clients() {
    List<String> ids = new ArrayList<>();
    clients.forEach((id, call) -> {
      if (call.isOpen()) {
        ids.add(id);
      }
    });
    ids.sort(null);
    return ids;
  }

  /** Broadcasts one update; returns its id (FWAPI's moray {@code _id}). */
  public long send(String name, String reqId, Object value) {
    long id = lastId.incrementAndGet();
    String req = reqId == null ? UUID.randomUUID().toString() : reqId;
    lastReqId = req;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("name", name);
    m.put("req_id", req);
    m.put("server_id", serverId);
    m.put("value", value);
    for (FastCall c : clients.values()) {
      c.write(m);
    }
    return id;
  }

  private void messages(FastCall call) {
    List<Object> args = call.args();
    if (args.size() != 1) {
      call.error("Error", "\"messages\" RPC expects one argument", null);
      return;
    }
    if (!(args.get(0) instanceof Map<?, ?> opts)) {
      call.error("Error", "\"messages\" RPC expects an options object", null);
      return;
    }
    if (!(opts.get("client_id") instanceof String id)) {
      call.error("Error", "clients must provide their \"client_id\"", null);
      return;
    }
    FastCall old = clients.put(id, call);
    if (old != null && old != call) {
      old.end();
    }
    if (opts.get("version") instanceof Number v && v.intValue() >= 1) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("name", "sync");
      if (lastReqId != null) {
        state.put("last_req_id", lastReqId);
        state.put("last_id", lastId.get());
      }
      state.put("server_id", serverId);
      state.put("version", 1);
      call.write(state);
    }
  }

  private static void ping(FastCall call) {
    List<Object> args = call.args();
    if (args.size() != 1 || !(args.get(0) instanceof Map<?, ?> opts)) {
      call.error("Error", "\"ping\" RPC expects an options object", null);
      return;
    }
    if (opts.containsKey("req_id") && !(opts.get("req_id") instanceof String)) {
      call.error("Error", "\"req_id\" must be a string", null);
      return;
    }
    call.end();
  }
}
