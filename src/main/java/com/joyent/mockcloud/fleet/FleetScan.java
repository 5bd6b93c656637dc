package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.util.Uuids;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * What one listing of {@code servers/} means for the fleet: the CNs to start (new, valid
 * directories) and to stop (running, no longer listed). Decides only; {@link Fleet} does. A
 * running CN's entry is not checked on disk again (delete-server moves its directory away), so
 * only new names cost a look at the disk, through {@code validate}.
 *
 * @param toStart valid directories of CNs neither running nor starting
 * @param toStop running CNs whose directory is gone
 * @param incomplete a UUID-named entry is not (yet) a server, e.g. its sysinfo.json is still
 *     being written: the next rescan must list again even if {@code servers/} stands still
 */
record FleetScan(List<ServerDirectory> toStart, Set<UUID> toStop, boolean incomplete) {

  /**
   * @param entries every entry of {@code servers/}
   * @param running the CNs running now
   * @param starting the CNs being started now (present, not to be started twice)
   * @param validate an entry as a server directory, or empty when it is not one
   */
  static FleetScan of(List<Path> entries, Set<UUID> running, Set<UUID> starting,
      Function<Path, Optional<ServerDirectory>> validate) {
    Set<UUID> present = new HashSet<>();
    List<ServerDirectory> toStart = new ArrayList<>();
    boolean incomplete = false;
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (Uuids.isUuid(name) && running.contains(UUID.fromString(name))) {
        present.add(UUID.fromString(name));
        continue;
      }
      Optional<ServerDirectory> d = validate.apply(p);
      if (d.isEmpty()) {
        incomplete |= Uuids.isUuid(name);
        continue;
      }
      UUID u = d.get().uuid();
      present.add(u);
      if (!running.contains(u) && !starting.contains(u)) {
        toStart.add(d.get());
      }
    }
    Set<UUID> toStop = new HashSet<>(running);
    toStop.removeAll(present);
    return new FleetScan(toStart, toStop, incomplete);
  }
}
