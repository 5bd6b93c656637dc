package com.joyent.mockcloud.behaviour;

import java.util.Map;

/**
 * One CN's effective behaviour, the fleet's file merged with its own (docs/behaviour.md).
 * Immutable; {@link #IDEAL} is what a CN without files does: every task at once and
 * successful, every heartbeat and status report sent.
 *
 * @param tasks by task name, {@code "*"} for every task without an entry of its own
 * @param heartbeat what happens to each heartbeat
 * @param statusReportsStopped no status reports are sent ({@code status_reports.mode: "stop"})
 * @param seed seeds every random choice (null: a fresh seed)
 */
public record Behaviour(Map<String, TaskBehaviour> tasks, HeartbeatBehaviour heartbeat, boolean statusReportsStopped,
    Long seed) {

  public static final Behaviour IDEAL = new Behaviour(Map.of(), HeartbeatBehaviour.NORMAL, false, null);

  public Behaviour {
    tasks = Map.copyOf(tasks);
  }

  /** What {@code task} does: its own entry, else {@code "*"}'s, else null (as an ideal CN). */
  public TaskBehaviour task(String task) {
    TaskBehaviour b = tasks.get(task);
    return b != null ? b : tasks.get("*");
  }

  public boolean isIdeal() {
    return tasks.isEmpty() && heartbeat.equals(HeartbeatBehaviour.NORMAL) && !statusReportsStopped;
  }

  /**
   * One task's behaviour.
   *
   * @param latencyMinMs the least time it takes before it does its work
   * @param latencyMaxMs the most (equal to the least for a fixed latency)
   * @param failRate the chance, 0 to 1, that it fails instead of doing its work
   * @param error the message of an injected failure, null for the default one
   * @param hang it never answers while this behaviour holds
   */
  public record TaskBehaviour(long latencyMinMs, long latencyMaxMs, double failRate, String error, boolean hang) {}

  /** What happens to heartbeats. */
  public enum HeartbeatMode { NORMAL, STOP, DROP }

  /**
   * @param mode normal, stop (none is sent) or drop (each is left out with {@code dropRate})
   * @param dropRate the chance, 0 to 1, a heartbeat is left out in mode drop
   * @param delayMs each heartbeat that is sent leaves this late
   */
  public record HeartbeatBehaviour(HeartbeatMode mode, double dropRate, long delayMs) {
    public static final HeartbeatBehaviour NORMAL = new HeartbeatBehaviour(HeartbeatMode.NORMAL, 0, 0);
  }
}
