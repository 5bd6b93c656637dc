package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.behaviour.FleetBehaviour;
import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.io.DirectoryWatcher;
import com.joyent.mockcloud.server.ServerDirectory;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Notices when a CN's sysinfo.json changes (a task, a tool, a hand edit, a replacement by
 * rename), so its cn-agent re-registers with CNAPI, and when its behaviour.json or the fleet's
 * does, so its behaviour follows within 2 s (docs/behaviour.md). Each CN's directory is watched
 * (one inotify watch); where it cannot be, its files are polled every {@code sysinfoPollInterval}
 * instead: polling every CN cost a stat per CN per second (10,000 a second, ~13 % of a core on
 * this VM kind). Every {@link #BACKSTOP_EVERY}th poll checks every CN, watched or not: a backstop
 * for changes inotify does not report (a file written over NFS from another host), at a stat per
 * CN a minute. The fleet's behaviour.json (one file) is checked at every poll. Thread-safe.
 */
final class CnFileWatches {
  /** Every this many polls (one a second) every CN's sysinfo.json is checked, watched or not. */
  static final int BACKSTOP_EVERY = 60;

  private final DirectoryWatcher watcher;
  private final Executor checks;
  private final FleetBehaviour behaviours;
  /** CNs whose directory is not watched: their sysinfo.json is polled. */
  private final Set<UUID> polled = ConcurrentHashMap.newKeySet();
  private final AtomicInteger polls = new AtomicInteger();

  /**
   * @param watcher the process's directory watcher, null where none could be made (all polled)
   * @param checks where a watched change is checked (never the watcher's own thread)
   * @param behaviours the fleet's behaviour files
   */
  CnFileWatches(DirectoryWatcher watcher, Executor checks, FleetBehaviour behaviours) {
    this.watcher = watcher;
    this.checks = checks;
    this.behaviours = behaviours;
  }

  /**
   * Watches the CN's directory. Call before its reporter reads the first mtime, so no change
   * falls in between. Returns null when the directory is polled instead.
   */
  DirectoryWatcher.Watch watch(ServerDirectory d, CnAgent agent) {
    DirectoryWatcher.Watch w = watcher == null ? null : watcher.watch(d.dir(), new DirectoryWatcher.Listener() {
      @Override
      public void changed(String name) {
        if (name == null || ServerDirectory.SYSINFO.equals(name)) {
          checks.execute(() -> check(agent));
        }
        if (name == null || FleetBehaviour.FILE.equals(name)) {
          checks.execute(() -> behaviours.checkCnFile(d.uuid()));
        }
      }

      @Override
      public void gone() {
        polled.add(d.uuid()); // the rescan stops it if the directory went for good
      }
    });
    if (w == null) {
      polled.add(d.uuid());
    } else {
      polled.remove(d.uuid());
    }
    return w;
  }

  /** The CN stopped (after its watch was cancelled, so no gone() adds it back). */
  void forget(UUID uuid) {
    polled.remove(uuid);
  }

  /** One poll: the CNs not watched, or every {@link #BACKSTOP_EVERY}th time all of them. */
  void poll(Map<UUID, MockCn> running) {
    behaviours.checkFleetFile();
    if (polls.incrementAndGet() % BACKSTOP_EVERY == 0) {
      running.values().forEach(cn -> check(cn.cnAgent()));
      return;
    }
    for (UUID u : polled) {
      MockCn cn = running.get(u);
      if (cn != null) {
        check(cn.cnAgent());
      }
    }
  }

  private void check(CnAgent agent) {
    agent.checkSysinfo();
    behaviours.checkCnFile(agent.context().serverUuid());
  }
}
