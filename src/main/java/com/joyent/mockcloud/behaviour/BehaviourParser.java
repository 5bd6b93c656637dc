package com.joyent.mockcloud.behaviour;

import com.joyent.mockcloud.behaviour.Behaviour.Agent;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatBehaviour;
import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.Behaviour.ListenerMode;
import com.joyent.mockcloud.behaviour.Behaviour.TaskBehaviour;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks a behaviour file's JSON and builds a {@link Behaviour} from it (docs/behaviour.md).
 * Checking is strict: an unknown key or a value out of range is an error naming the key's path,
 * so a typo never passes for "no behaviour". Files are checked one by one, then merged (a CN's
 * keys over the fleet's, {@code tasks} entry by entry), then built.
 */
public final class BehaviourParser {
  /** The longest latency or delay accepted: a day (the task timeout is an hour by default). */
  static final long MAX_MS = 86_400_000L;
  private static final Set<String> KEYS = Set.of("tasks", "heartbeat", "status_reports", "listener", "vm_agent",
      "net_agent", "cmon_agent", "config_agent", "firewaller", "seed");
  private static final Set<String> TASK_KEYS = Set.of("latency_ms", "fail_rate", "error", "hang");
  private static final Set<String> HEARTBEAT_KEYS = Set.of("mode", "drop_rate", "delay_ms");

  private final Predicate<String> knownTask;

  /** @param knownTask whether a name is a cn-agent task (a misspelt name is an error) */
  public BehaviourParser(Predicate<String> knownTask) {
    this.knownTask = knownTask;
  }

  /** Checks one file's parsed JSON; returns it as a map, ready to merge. */
  public Map<String, Object> check(Object json) throws BehaviourException {
    Map<String, Object> doc = object(json, "the file");
    for (Map.Entry<String, Object> e : doc.entrySet()) {
      String key = e.getKey();
      if (!KEYS.contains(key)) {
        throw new BehaviourException(key + ": unknown key; known keys are " + String.join(", ", sorted(KEYS)));
      }
      switch (key) {
        case "tasks" -> checkTasks(e.getValue());
        case "heartbeat" -> checkHeartbeat(e.getValue());
        case "status_reports" -> checkMode(e.getValue(), key, List.of("normal", "stop"));
        case "listener" -> checkMode(e.getValue(), key, List.of("normal", "refuse", "hang", "unavailable"));
        case "vm_agent", "net_agent", "cmon_agent", "config_agent", "firewaller" -> checkMode(e.getValue(), key, List.of("normal", "pause"));
        case "seed" -> wholeNumber(e.getValue(), "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        default -> throw new AssertionError(key);
      }
    }
    return doc;
  }

  /** A CN's keys over the fleet's; under {@code tasks}, the CN's entry for a task over the fleet's. */
  public static Map<String, Object> merge(Map<String, Object> fleet, Map<String, Object> cn) {
    Map<String, Object> out = new LinkedHashMap<>(fleet);
    for (Map.Entry<String, Object> e : cn.entrySet()) {
      if (e.getKey().equals("tasks") && out.get("tasks") instanceof Map<?, ?> fleetTasks) {
        Map<Object, Object> tasks = new LinkedHashMap<>(fleetTasks);
        tasks.putAll((Map<?, ?>) e.getValue());
        out.put("tasks", tasks);
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** The behaviour a checked (and merged) document describes. */
  public static Behaviour build(Map<String, Object> doc) {
    Map<String, TaskBehaviour> tasks = new LinkedHashMap<>();
    if (doc.get("tasks") instanceof Map<?, ?> t) {
      t.forEach((name, v) -> tasks.put((String) name, task((Map<?, ?>) v)));
    }
    HeartbeatBehaviour heartbeat = HeartbeatBehaviour.NORMAL;
    if (doc.get("heartbeat") instanceof Map<?, ?> h) {
      String mode = h.get("mode") instanceof String m ? m : "normal";
      heartbeat = new HeartbeatBehaviour(HeartbeatMode.valueOf(mode.toUpperCase(Locale.ROOT)),
          number(h.get("drop_rate"), 0), (long) number(h.get("delay_ms"), 0));
    }
    boolean statusStopped = "stop".equals(mode(doc, "status_reports"));
    ListenerMode listener = ListenerMode.valueOf(mode(doc, "listener").toUpperCase(Locale.ROOT));
    Set<Agent> paused = EnumSet.noneOf(Agent.class);
    for (Agent a : Agent.values()) {
      if ("pause".equals(mode(doc, a.key()))) {
        paused.add(a);
      }
    }
    Long seed = doc.get("seed") instanceof Number n ? n.longValue() : null;
    return new Behaviour(tasks, heartbeat, statusStopped, listener, paused, seed);
  }

  /** {@code doc[key].mode}, "normal" when absent. */
  private static String mode(Map<String, Object> doc, String key) {
    return doc.get(key) instanceof Map<?, ?> m && m.get("mode") instanceof String s ? s : "normal";
  }

  private static TaskBehaviour task(Map<?, ?> t) {
    long min = 0;
    long max = 0;
    Object latency = t.get("latency_ms");
    if (latency instanceof Number n) {
      min = max = n.longValue();
    } else if (latency instanceof Map<?, ?> range) {
      min = ((Number) range.get("min")).longValue();
      max = ((Number) range.get("max")).longValue();
    }
    return new TaskBehaviour(min, max, number(t.get("fail_rate"), 0), (String) t.get("error"),
        Boolean.TRUE.equals(t.get("hang")));
  }

  private static double number(Object v, double absent) {
    return v instanceof Number n ? n.doubleValue() : absent;
  }

  private void checkTasks(Object v) throws BehaviourException {
    Map<String, Object> tasks = object(v, "tasks");
    for (Map.Entry<String, Object> e : tasks.entrySet()) {
      String name = e.getKey();
      String at = "tasks." + name;
      if (!name.equals("*") && !knownTask.test(name)) {
        throw new BehaviourException(at + ": no cn-agent task has this name (\"*\" stands for every task)");
      }
      Map<String, Object> t = object(e.getValue(), at);
      onlyKeys(t, TASK_KEYS, at);
      Object latency = t.get("latency_ms");
      if (latency instanceof Map<?, ?>) {
        Map<String, Object> range = object(latency, at + ".latency_ms");
        onlyKeys(range, Set.of("min", "max"), at + ".latency_ms");
        if (!range.containsKey("min") || !range.containsKey("max")) {
          throw new BehaviourException(at + ".latency_ms: a range needs both min and max");
        }
        long min = wholeNumber(range.get("min"), at + ".latency_ms.min", 0, MAX_MS);
        long max = wholeNumber(range.get("max"), at + ".latency_ms.max", 0, MAX_MS);
        if (min > max) {
          throw new BehaviourException(at + ".latency_ms: min (" + min + ") is greater than max (" + max + ")");
        }
      } else if (latency != null) {
        wholeNumber(latency, at + ".latency_ms", 0, MAX_MS);
      }
      if (t.containsKey("fail_rate")) {
        rate(t.get("fail_rate"), at + ".fail_rate");
      }
      if (t.containsKey("error") && !(t.get("error") instanceof String s && !s.isEmpty())) {
        throw new BehaviourException(at + ".error: must be a non-empty string");
      }
      if (t.containsKey("hang") && !(t.get("hang") instanceof Boolean)) {
        throw new BehaviourException(at + ".hang: must be true or false");
      }
    }
  }

  private static void checkHeartbeat(Object v) throws BehaviourException {
    Map<String, Object> h = object(v, "heartbeat");
    onlyKeys(h, HEARTBEAT_KEYS, "heartbeat");
    Object mode = h.get("mode");
    if (mode != null && !List.of("normal", "stop", "drop").contains(mode)) {
      throw new BehaviourException("heartbeat.mode: must be \"normal\", \"stop\" or \"drop\"");
    }
    if (h.containsKey("drop_rate")) {
      rate(h.get("drop_rate"), "heartbeat.drop_rate");
      if (!"drop".equals(mode)) {
        throw new BehaviourException("heartbeat.drop_rate: only means something with \"mode\": \"drop\"");
      }
    } else if ("drop".equals(mode)) {
      throw new BehaviourException("heartbeat.drop_rate: mode drop needs a drop_rate from 0 to 1");
    }
    if (h.containsKey("delay_ms")) {
      wholeNumber(h.get("delay_ms"), "heartbeat.delay_ms", 0, MAX_MS);
    }
  }

  /** An object {@code {"mode": one of modes}}. */
  private static void checkMode(Object v, String key, List<String> modes) throws BehaviourException {
    Map<String, Object> s = object(v, key);
    onlyKeys(s, Set.of("mode"), key);
    if (!modes.contains(s.get("mode"))) {
      throw new BehaviourException(key + ".mode: must be one of "
          + String.join(", ", modes.stream().map(m -> "\"" + m + "\"").toList()));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v, String at) throws BehaviourException {
    if (!(v instanceof Map)) {
      throw new BehaviourException(at + ": must be a JSON object");
    }
    return (Map<String, Object>) v;
  }

  private static void onlyKeys(Map<String, Object> m, Set<String> allowed, String at) throws BehaviourException {
    for (String k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw new BehaviourException(at + "." + k + ": unknown key; known keys are " + String.join(", ", sorted(allowed)));
      }
    }
  }

  private static long wholeNumber(Object v, String at, long min, long max) throws BehaviourException {
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < min || n.doubleValue() > max) {
      throw new BehaviourException(at + ": must be a whole number from " + min + " to " + max);
    }
    return n.longValue();
  }

  private static void rate(Object v, String at) throws BehaviourException {
    if (!(v instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
      throw new BehaviourException(at + ": must be a number from 0 to 1");
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
