package com.joyent.mockcloud.scenario;

import com.joyent.mockcloud.behaviour.BehaviourException;
import com.joyent.mockcloud.behaviour.BehaviourParser;
import com.joyent.mockcloud.scenario.Scenario.Ramp;
import com.joyent.mockcloud.scenario.Scenario.Selection;
import com.joyent.mockcloud.scenario.Scenario.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks a scenario's JSON as strictly as a behaviour file (an unknown key or a bad value is an
 * error naming its path, {@code steps[2].select.percent: ...}), and builds the {@link Scenario}.
 * A step's behaviour document is checked by the {@link BehaviourParser} a file would be.
 */
public final class ScenarioParser {
  /** A scenario lasts a day at most (the longest latency a behaviour takes is a day too). */
  static final long MAX_MS = 86_400_000L;
  static final Set<String> ACTIONS = Set.of("reboot", "power-off", "power-on", "restart-agent");
  private static final Set<String> KEYS = Set.of("seed", "steps");
  private static final Set<String> STEP_KEYS = Set.of("at_s", "select", "behaviour", "for_s", "action",
      "down_seconds", "ramp");
  private static final Set<String> SELECT_KEYS = Set.of("all", "count", "percent", "uuids", "hardware");
  private static final Set<String> RAMP_KEYS = Set.of("task", "from_ms", "to_ms", "over_s", "every_s");

  private final BehaviourParser behaviours;
  private final Predicate<String> knownTask;
  private final Predicate<String> knownHardware;

  /**
   * @param knownTask whether a name is a cn-agent task (for ramps)
   * @param knownHardware whether a name is a hardware profile (for selections)
   */
  public ScenarioParser(Predicate<String> knownTask, Predicate<String> knownHardware) {
    this.behaviours = new BehaviourParser(knownTask);
    this.knownTask = knownTask;
    this.knownHardware = knownHardware;
  }

  public Scenario parse(Object json) throws BehaviourException {
    Map<String, Object> doc = object(json, "the scenario");
    onlyKeys(doc, KEYS, "");
    Long seed = doc.containsKey("seed") ? whole(doc.get("seed"), "seed", Long.MIN_VALUE, Long.MAX_VALUE) : null;
    if (!(doc.get("steps") instanceof List<?> list) || list.isEmpty()) {
      throw new BehaviourException("steps: must be a non-empty array");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      steps.add(step(list.get(i), "steps[" + i + "]"));
    }
    return new Scenario(seed, steps);
  }

  private Step step(Object v, String at) throws BehaviourException {
    Map<String, Object> s = object(v, at);
    onlyKeys(s, STEP_KEYS, at + ".");
    if (!s.containsKey("at_s")) {
      throw new BehaviourException(at + ".at_s: required (seconds after the start)");
    }
    long atMs = millis(s.get("at_s"), at + ".at_s");
    Selection select = selection(s.get("select"), at + ".select");
    int kinds = (s.containsKey("behaviour") ? 1 : 0) + (s.containsKey("action") ? 1 : 0) + (s.containsKey("ramp") ? 1 : 0);
    if (kinds != 1) {
      throw new BehaviourException(at + ": needs exactly one of behaviour, action, ramp");
    }
    Map<String, Object> behaviour = null;
    Long forMs = null;
    String action = null;
    Long down = null;
    Ramp ramp = null;
    if (s.containsKey("for_s") && !s.containsKey("behaviour")) {
      throw new BehaviourException(at + ".for_s: only means something with behaviour");
    }
    if (s.containsKey("down_seconds") && !"reboot".equals(s.get("action"))) {
      throw new BehaviourException(at + ".down_seconds: only means something with \"action\": \"reboot\"");
    }
    if (s.containsKey("behaviour")) {
      try {
        behaviour = behaviours.check(s.get("behaviour"));
      } catch (BehaviourException e) {
        throw new BehaviourException(at + ".behaviour." + e.getMessage());
      }
      if (s.containsKey("for_s")) {
        forMs = millis(s.get("for_s"), at + ".for_s");
      }
    } else if (s.containsKey("action")) {
      if (!(s.get("action") instanceof String a) || !ACTIONS.contains(a)) {
        throw new BehaviourException(at + ".action: must be one of " + String.join(", ", ACTIONS.stream().sorted().toList()));
      }
      action = a;
      if (s.containsKey("down_seconds")) {
        down = whole(s.get("down_seconds"), at + ".down_seconds", 0, MAX_MS / 1000);
      }
    } else {
      ramp = ramp(s.get("ramp"), at + ".ramp");
    }
    return new Step(atMs, select, behaviour, forMs, action, down, ramp);
  }

  private Selection selection(Object v, String at) throws BehaviourException {
    if (v == null) {
      throw new BehaviourException(at + ": required: {\"all\": true}, count, percent, uuids or hardware");
    }
    Map<String, Object> m = object(v, at);
    onlyKeys(m, SELECT_KEYS, at + ".");
    boolean all = m.containsKey("all");
    if (all && !Boolean.TRUE.equals(m.get("all"))) {
      throw new BehaviourException(at + ".all: must be true");
    }
    Integer count = m.containsKey("count") ? (int) whole(m.get("count"), at + ".count", 0, Integer.MAX_VALUE) : null;
    Double percent = null;
    if (m.containsKey("percent")) {
      if (!(m.get("percent") instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 100)) {
        throw new BehaviourException(at + ".percent: must be a number from 0 to 100");
      }
      percent = n.doubleValue();
    }
    List<String> uuids = null;
    if (m.containsKey("uuids")) {
      if (!(m.get("uuids") instanceof List<?> l) || l.isEmpty()) {
        throw new BehaviourException(at + ".uuids: must be a non-empty array of server UUIDs");
      }
      uuids = new ArrayList<>();
      for (Object u : l) {
        if (!(u instanceof String s) || !s.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
          throw new BehaviourException(at + ".uuids: " + u + " is not a server UUID");
        }
        uuids.add(s);
      }
    }
    String hardware = null;
    if (m.containsKey("hardware")) {
      if (!(m.get("hardware") instanceof String h) || !knownHardware.test(h)) {
        throw new BehaviourException(at + ".hardware: not a hardware profile: " + m.get("hardware"));
      }
      hardware = h;
    }
    int ways = (all ? 1 : 0) + (count != null ? 1 : 0) + (percent != null ? 1 : 0) + (uuids != null ? 1 : 0);
    if (ways > 1) {
      throw new BehaviourException(at + ": one of all, count, percent, uuids (hardware may go with count or percent)");
    }
    if (ways == 0 && hardware == null) {
      throw new BehaviourException(at + ": say which CNs: all, count, percent, uuids or hardware");
    }
    if (uuids != null && hardware != null) {
      throw new BehaviourException(at + ".hardware: does not go with uuids");
    }
    return new Selection(all, count, percent, uuids, hardware);
  }

  private Ramp ramp(Object v, String at) throws BehaviourException {
    Map<String, Object> r = object(v, at);
    onlyKeys(r, RAMP_KEYS, at + ".");
    if (!(r.get("task") instanceof String task) || !(task.equals("*") || knownTask.test(task))) {
      throw new BehaviourException(at + ".task: must be a cn-agent task's name or \"*\"");
    }
    for (String k : List.of("from_ms", "to_ms", "over_s")) {
      if (!r.containsKey(k)) {
        throw new BehaviourException(at + "." + k + ": required");
      }
    }
    long from = whole(r.get("from_ms"), at + ".from_ms", 0, MAX_MS);
    long to = whole(r.get("to_ms"), at + ".to_ms", 0, MAX_MS);
    long over = millis(r.get("over_s"), at + ".over_s");
    long every = r.containsKey("every_s") ? millis(r.get("every_s"), at + ".every_s") : 10_000;
    if (every < 1_000) {
      throw new BehaviourException(at + ".every_s: at least 1 (a change every second at most)");
    }
    return new Ramp(task, from, to, over, every);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v, String at) throws BehaviourException {
    if (!(v instanceof Map)) {
      throw new BehaviourException(at + ": must be a JSON object");
    }
    return (Map<String, Object>) v;
  }

  private static void onlyKeys(Map<String, Object> m, Set<String> allowed, String prefix) throws BehaviourException {
    for (String k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw new BehaviourException(prefix + k + ": unknown key; known keys are "
            + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  /** Seconds (decimals allowed, to the millisecond) from 0 to a day, as milliseconds. */
  private static long millis(Object v, String at) throws BehaviourException {
    if (!(v instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() * 1000 <= MAX_MS)) {
      throw new BehaviourException(at + ": must be a number of seconds from 0 to " + MAX_MS / 1000);
    }
    return Math.round(n.doubleValue() * 1000);
  }

  private static long whole(Object v, String at, long min, long max) throws BehaviourException {
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < min || n.doubleValue() > max) {
      throw new BehaviourException(at + ": must be a whole number from " + min + " to " + max);
    }
    return n.longValue();
  }
}
