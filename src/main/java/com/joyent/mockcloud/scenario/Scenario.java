package com.joyent.mockcloud.scenario;

import java.util.List;
import java.util.Map;

/**
 * A checked scenario file (docs/behaviour.md, "Scenarios"): a timeline of steps, each applied at
 * its time to the CNs it selects. Immutable.
 *
 * @param seed makes every selection reproducible (null: a fresh one)
 */
public record Scenario(Long seed, List<Step> steps) {
  public Scenario {
    steps = List.copyOf(steps);
  }

  /** Which CNs a step applies to, chosen when the step runs from the CNs running then. */
  public record Selection(boolean all, Integer count, Double percent, List<String> uuids, String hardware) {}

  /**
   * One step.
   *
   * @param atMs when, after the scenario's start
   * @param behaviour a behaviour document laid over the chosen CNs' files, or null
   * @param forMs how long that behaviour lasts (null: until the scenario is stopped)
   * @param action a server action's name, or null
   * @param downSeconds a reboot's down time (null: the default)
   * @param ramp a latency ramp, or null
   */
  public record Step(long atMs, Selection select, Map<String, Object> behaviour, Long forMs, String action,
      Long downSeconds, Ramp ramp) {
    public String kind() {
      return behaviour != null ? "behaviour" : action != null ? "action" : "ramp";
    }

    /** When the step is over: its behaviour's end, its ramp's end, or its start. */
    long endMs() {
      if (ramp != null) {
        return atMs + ramp.overMs();
      }
      return forMs != null ? atMs + forMs : atMs;
    }
  }

  /** One task's latency moved from {@code fromMs} to {@code toMs} over {@code overMs}, a step every {@code everyMs}. */
  public record Ramp(String task, long fromMs, long toMs, long overMs, long everyMs) {
    /** The latency at {@code elapsedMs} into the ramp. */
    long latencyAt(long elapsedMs) {
      if (elapsedMs >= overMs || overMs == 0) {
        return toMs;
      }
      return fromMs + Math.round((toMs - fromMs) * (double) elapsedMs / overMs);
    }
  }
}
