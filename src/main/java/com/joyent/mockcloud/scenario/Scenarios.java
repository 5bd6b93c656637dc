package com.joyent.mockcloud.scenario;

import com.joyent.mockcloud.behaviour.BehaviourException;
import com.joyent.mockcloud.util.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The daemon's scenarios: one runs (or holds its layers) at a time, as two would lay behaviours
 * over each other's CNs; the last {@link #KEPT} are kept with their reports. Thread-safe.
 */
public final class Scenarios {
  static final int KEPT = 20;

  private final ScenarioParser parser;
  private final ScenarioTarget target;
  private final Timer timer;
  private final Executor work;
  private final LinkedHashMap<String, ScenarioRun> runs = new LinkedHashMap<>(); // guarded by this
  private int started; // guarded by this

  public Scenarios(ScenarioParser parser, ScenarioTarget target, Timer timer, Executor work) {
    this.parser = parser;
    this.target = target;
    this.timer = timer;
    this.work = work;
  }

  /**
   * Checks and starts a scenario.
   *
   * @throws BehaviourException when it does not check (nothing starts)
   * @throws IllegalStateException when another one is running or holding
   */
  public synchronized ScenarioRun start(Object json) throws BehaviourException {
    Scenario s = parser.parse(json);
    for (ScenarioRun r : runs.values()) {
      if (r.state() == ScenarioRun.State.RUNNING || r.state() == ScenarioRun.State.HOLDING) {
        throw new IllegalStateException("scenario " + r.id() + " is " + r.state().name().toLowerCase()
            + ": stop it first");
      }
    }
    String id = "scenario-" + ++started;
    ScenarioRun run = ScenarioRun.start(id, s, target, timer, work);
    runs.put(id, run);
    if (runs.size() > KEPT) {
      runs.remove(runs.keySet().iterator().next());
    }
    return run;
  }

  /** The run called {@code id}, or null. */
  public synchronized ScenarioRun get(String id) {
    return runs.get(id);
  }

  public synchronized List<ScenarioRun> list() {
    return new ArrayList<>(runs.values());
  }

  /** Stops whatever runs (the daemon is stopping). */
  public void stopAll() {
    List<ScenarioRun> all;
    synchronized (this) {
      all = new ArrayList<>(runs.values());
    }
    all.forEach(ScenarioRun::stop);
  }

  /** A run's summary, as the control API lists it. */
  public static Map<String, Object> summary(ScenarioRun r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("state", r.state().name().toLowerCase());
    m.put("report_lines", r.reportLength());
    return m;
  }
}
