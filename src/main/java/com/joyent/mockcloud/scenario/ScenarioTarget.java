package com.joyent.mockcloud.scenario;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a scenario acts on: the fleet of running mock CNs (fleet/FleetScenarioTarget), or a test's fake. */
public interface ScenarioTarget {
  /** The CNs running now, in UUID order (so a seeded choice repeats). */
  List<UUID> servers();

  /** The CN's hardware profile id ({@code standard}, ...), or null when it matches none. */
  String hardwareOf(UUID cn);

  /** Lays {@code doc} over the CN's behaviour files, in effect on return; null takes it away. */
  void overlay(UUID cn, Map<String, Object> doc);

  /**
   * A server action on the CN ({@code reboot} with {@code downSeconds}, null for the default).
   *
   * @throws Exception with the reason when the CN refuses it (its state, or it is gone)
   */
  void action(String action, UUID cn, Long downSeconds) throws Exception;
}
