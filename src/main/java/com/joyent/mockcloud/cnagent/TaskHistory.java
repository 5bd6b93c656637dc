package com.joyent.mockcloud.cnagent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last 16 dispatched tasks of one CN, oldest first (spec cn-agent.md §2.7). Thread-safe. */
final class TaskHistory {
  static final int SIZE = 16;
  private final ArrayDeque<HistoryEntry> entries = new ArrayDeque<>(SIZE);

  synchronized void add(HistoryEntry e) {
    if (entries.size() == SIZE) {
      entries.removeFirst();
    }
    entries.addLast(e);
  }

  List<Object> render() {
    List<HistoryEntry> copy;
    synchronized (this) {
      copy = new ArrayList<>(entries);
    }
    List<Object> out = new ArrayList<>(copy.size());
    for (HistoryEntry e : copy) {
      out.add(e.render());
    }
    return out;
  }
}
