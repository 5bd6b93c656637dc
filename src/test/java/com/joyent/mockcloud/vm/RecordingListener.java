package com.joyent.mockcloud.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Captures events; helpers strip the fields that change on every write. */
final class RecordingListener implements VmListener {
  static final Set<String> VOLATILE = Set.of("last_modified", "pid", "zoneid");
  final List<VmEvent> events = new ArrayList<>();

  @Override
  public synchronized void onEvent(VmEvent event) {
    events.add(event);
  }

  synchronized List<VmEvent> events() {
    return new ArrayList<>(events);
  }

  synchronized void clear() {
    events.clear();
  }

  /** Changes of every modify event, minus last_modified/pid/zoneid, as "path:old->new". */
  synchronized List<String> changeSummary() {
    List<String> out = new ArrayList<>();
    for (VmEvent e : events) {
      for (VmChange c : e.changes()) {
        if (!VOLATILE.contains(c.path().get(0))) {
          out.add(c.prettyPath() + ":" + c.action() + ":" + c.oldValue() + "->" + c.newValue());
        }
      }
    }
    return out;
  }

  synchronized List<String> states() {
    return events.stream().map(e -> String.valueOf(e.vm().get("state"))).collect(Collectors.toList());
  }

  static Map<String, Object> change(VmEvent e, String prettyPath) {
    return e.changes().stream().filter(c -> c.prettyPath().equals(prettyPath)).findFirst()
        .map(VmChange::toMap).orElse(null);
  }
}
