package com.joyent.mockcloud.behaviour;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One CN's effective behaviour, the fleet's file merged with its own (docs/behaviour.md).
 * Immutable; {@link #IDEAL} is what a CN without files does: every task at once and
 * successful, every heartbeat and status report sent.
 *
 * @param tasks by task name, {@code "*"} for every task without an entry of its own
 * @param heartbeat what happens to each heartbeat
 * @param statusReportsStopped no status reports are sent ({@code status_reports.mode: "stop"})
 * @param listener what cn-agent's listener does with connections and requests
 * @param pausedAgents the agents paused ({@code vm_agent}, {@code net_agent}, {@code cmon_agent}, {@code config_agent} mode pause)
 * @param seed seeds every random choice (null: a fresh seed)
 */
public record Behaviour(Map<String, TaskBehaviour> tasks, HeartbeatBehaviour heartbeat, boolean statusReportsStopped,
    ListenerMode listener, Set<Agent> pausedAgents, Long seed) {

  public static final Behaviour IDEAL = new Behaviour(Map.of(), HeartbeatBehaviour.NORMAL, false, null);

  public Behaviour {
    tasks = Map.copyOf(tasks);
    pausedAgents = pausedAgents.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(pausedAgents));
  }

  /** A behaviour with the listener normal and no agent paused. */
  public Behaviour(Map<String, TaskBehaviour> tasks, HeartbeatBehaviour heartbeat, boolean statusReportsStopped,
      Long seed) {
    this(tasks, heartbeat, statusReportsStopped, ListenerMode.NORMAL, Set.of(), seed);
  }

  public Behaviour withListener(ListenerMode mode) {
    return new Behaviour(tasks, heartbeat, statusReportsStopped, mode, pausedAgents, seed);
  }

  public Behaviour withPaused(Set<Agent> paused) {
    return new Behaviour(tasks, heartbeat, statusReportsStopped, listener, paused, seed);
  }

  public boolean isPaused(Agent agent) {
    return pausedAgents.contains(agent);
  }

  /** What {@code task} does: its own entry, else {@code "*"}'s, else null (as an ideal CN). */
  public TaskBehaviour task(String task) {
    TaskBehaviour b = tasks.get(task);
    return b != null ? b : tasks.get("*");
  }

  public boolean isIdeal() {
    return tasks.isEmpty() && heartbeat.equals(HeartbeatBehaviour.NORMAL) && !statusReportsStopped
        && listener == ListenerMode.NORMAL && pausedAgents.isEmpty();
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

  /**
   * What cn-agent's listener does: normal; refuse (closed: connection refused, its connections
   * dropped); hang (requests accepted and never answered while it holds, then handled); unavailable
   * (every request answered 503, as a paused cn-agent answers tasks).
   */
  public enum ListenerMode { NORMAL, REFUSE, HANG, UNAVAILABLE }

  /** The agents a behaviour can pause, by their key in the file. */
  public enum Agent {
    VM_AGENT("vm_agent"), NET_AGENT("net_agent"), CMON_AGENT("cmon_agent"), CONFIG_AGENT("config_agent"),
    FIREWALLER("firewaller");

    private final String key;

    Agent(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

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
