package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.fleet.ServerActions.Action;
import com.joyent.mockcloud.scenario.ScenarioTarget;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A scenario's view of the fleet: its running CNs, their hardware (from sysinfo.json), behaviour overlays, actions. */
final class FleetScenarioTarget implements ScenarioTarget {
  private final Fleet fleet;

  FleetScenarioTarget(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public List<UUID> servers() {
    List<UUID> all = new ArrayList<>(fleet.running().keySet());
    Collections.sort(all);
    return all;
  }

  /** Read from sysinfo.json when a step asks (a stat and a small read per CN). */
  @Override
  public String hardwareOf(UUID cn) {
    MockCn m = fleet.running().get(cn);
    if (m == null) {
      return null;
    }
    ServerDirectory d = m.cnAgent().context().dir();
    try {
      return HardwareProfile.matching(d.readSysinfo()).map(HardwareProfile::id).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void overlay(UUID cn, Map<String, Object> doc) {
    fleet.behaviours().overlay(cn, doc);
  }

  @Override
  public void action(String action, UUID cn, Long downSeconds) throws Exception {
    fleet.actions().run(Action.named(action), cn,
        downSeconds == null ? ServerActions.DEFAULT_DOWN : Duration.ofSeconds(downSeconds));
  }
}
