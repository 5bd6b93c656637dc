package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change of one VM of one server, delivered to {@link VmListener}s after the write is durable
 * and the in-memory view updated (spec vmadm-and-vm-agent.md §2.12, §3.5.2).
 *
 * <p>{@code vm} is the full loaded view after the change; for {@link Type#DELETE} it is the last
 * view known before the delete (the wire form {@link #toWire()} sends {@code {}} as the
 * reference does). {@code changes} is empty except for {@link Type#MODIFY}. {@code id} is
 * {@code <store start, epoch s>.<pid>.<type>.<n>} with {@code n} counting this server's events
 * from 0. Immutable at the top level; the nested maps are shared by every listener of the server:
 * treat them as read-only.
 */
public record VmEvent(Type type, String serverUuid, String zonename, Map<String, Object> vm,
    List<VmChange> changes, String id) {

  public enum Type {
    CREATE("create"), MODIFY("modify"), DELETE("delete");

    private final String wire;

    Type(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** The vminfod WebSocket message shape (§3.5.2), key order as the reference sends it. */
  public Map<String, Object> toWire() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (type == Type.MODIFY) {
      List<Object> c = new ArrayList<>(changes.size());
      for (VmChange ch : changes) {
        c.add(ch.toMap());
      }
      m.put("changes", c);
    }
    m.put("type", type.wire());
    m.put("vm", type == Type.DELETE ? new LinkedHashMap<>() : vm);
    m.put("zonename", zonename);
    m.put("id", id);
    return m;
  }
}
