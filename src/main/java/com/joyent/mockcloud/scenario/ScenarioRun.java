package com.joyent.mockcloud.scenario;

import com.joyent.mockcloud.behaviour.BehaviourParser;
import com.joyent.mockcloud.scenario.Scenario.Ramp;
import com.joyent.mockcloud.scenario.Scenario.Selection;
import com.joyent.mockcloud.scenario.Scenario.Step;
import com.joyent.mockcloud.util.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One scenario running (docs/behaviour.md, "Scenarios"): each step is applied at its time on
 * the {@link Timer} (so tests inject time), its CNs chosen then from those running, seeded. A
 * behaviour or ramp step is a layer over the chosen CNs' files, later steps' layers over earlier
 * ones; it lasts its {@code for_s}, or until the scenario is stopped. Everything it does is a
 * line in its report. Steps run on {@code work}, one at a time; thread-safe.
 */
public final class ScenarioRun {
  /** Chosen CNs listed by UUID in a report line only up to this many; beyond, the count alone. */
  static final int LIST_UUIDS_UP_TO = 100;
  /** Report lines kept (the oldest dropped beyond): a ramp over a day every second is 86,400. */
  static final int MAX_REPORT_LINES = 10_000;

  public enum State { RUNNING, HOLDING, DONE, STOPPED }

  private final String id;
  private final Scenario scenario;
  private final ScenarioTarget target;
  private final Timer timer;
  private final Executor work;
  private final long startNanos;
  private final long baseSeed;
  private final List<Map<String, Object>> report = new ArrayList<>(); // guarded by this
  private long reportDropped; // guarded by this
  private final List<Future<?>> timers = new ArrayList<>(); // guarded by this
  /** Active layers by step index: the CNs and the document over them. Guarded by this. */
  private final TreeMap<Integer, Layer> layers = new TreeMap<>();
  private final Set<Integer> unfinished = new HashSet<>(); // guarded by this
  private State state = State.RUNNING; // guarded by this
  /**
   * Held by each step while it runs, and by stop: steps run one at a time, so a CN's overlay is
   * always the last one computed (two steps at once could otherwise apply an older one last).
   */
  private final Object stepLock = new Object();

  private record Layer(Set<UUID> cns, Map<String, Object> doc) {}

  private ScenarioRun(String id, Scenario scenario, ScenarioTarget target, Timer timer, Executor work) {
    this.id = id;
    this.scenario = scenario;
    this.target = target;
    this.timer = timer;
    this.work = work;
    this.startNanos = timer.nanoTime();
    this.baseSeed = scenario.seed() != null ? scenario.seed() : new Random().nextLong();
  }

  /** Starts {@code scenario} now: every step scheduled at its time. */
  public static ScenarioRun start(String id, Scenario scenario, ScenarioTarget target, Timer timer, Executor work) {
    ScenarioRun run = new ScenarioRun(id, scenario, target, timer, work);
    run.scheduleAll();
    return run;
  }

  private synchronized void scheduleAll() {
    line(null, "started", Map.of("steps", scenario.steps().size()));
    for (int i = 0; i < scenario.steps().size(); i++) {
      int step = i;
      unfinished.add(i);
      later(scenario.steps().get(i).atMs(), () -> apply(step));
    }
  }

  public String id() {
    return id;
  }

  public synchronized State state() {
    return state;
  }

  /** The report so far, from line {@code from} (0-based, counting dropped lines too). */
  public synchronized List<Map<String, Object>> report(long from) {
    int skip = (int) Math.max(0, from - reportDropped);
    return skip >= report.size() ? List.of() : List.copyOf(report.subList(skip, report.size()));
  }

  /** Lines reported so far (dropped ones counted). */
  public synchronized long reportLength() {
    return reportDropped + report.size();
  }

  /** Stops: no further step; every layer taken away from its CNs. Idempotent. */
  public void stop() {
    Set<UUID> touched = new LinkedHashSet<>();
    synchronized (this) {
      if (state == State.STOPPED || state == State.DONE) {
        return;
      }
      state = State.STOPPED;
      timers.forEach(t -> t.cancel(false));
      timers.clear();
      layers.values().forEach(l -> touched.addAll(l.cns()));
      layers.clear();
      unfinished.clear();
    }
    long t0 = timer.nanoTime();
    synchronized (stepLock) {
      touched.forEach(cn -> target.overlay(cn, null));
    }
    synchronized (this) {
      line(null, "stopped", Map.of("servers", touched.size(), "took_ms", tookMs(t0)));
    }
  }

  private void later(long atMs, Runnable job) {
    long delay = Math.max(0, atMs - elapsedMs());
    Future<?> f = timer.schedule(() -> work.execute(() -> {
      synchronized (stepLock) {
        job.run();
      }
    }), delay, TimeUnit.MILLISECONDS);
    synchronized (this) {
      timers.add(f);
    }
  }

  private void apply(int index) {
    Step step = scenario.steps().get(index);
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
    }
    long t0 = timer.nanoTime();
    List<UUID> chosen = select(step.select(), index);
    switch (step.kind()) {
      case "behaviour" -> {
        setLayer(index, new Layer(Set.copyOf(chosen), step.behaviour()));
        report(index, step, "applied", chosen, t0, Map.of());
        if (step.forMs() != null) {
          later(step.atMs() + step.forMs(), () -> endLayer(index, step));
        } else {
          finished(index);
        }
      }
      case "action" -> {
        List<String> refused = new ArrayList<>();
        for (UUID cn : chosen) {
          try {
            target.action(step.action(), cn, step.downSeconds());
          } catch (Exception e) {
            refused.add(cn + ": " + e.getMessage());
          }
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("action", step.action());
        if (!refused.isEmpty()) {
          extra.put("refused", refused.size() <= LIST_UUIDS_UP_TO ? refused : refused.size());
        }
        report(index, step, "applied", chosen, t0, extra);
        finished(index);
      }
      default -> {
        Ramp r = step.ramp();
        Set<UUID> cns = Set.copyOf(chosen);
        setLayer(index, new Layer(cns, rampDoc(r, r.fromMs())));
        report(index, step, "applied", chosen, t0, Map.of("latency_ms", r.fromMs()));
        for (long at = r.everyMs(); at < r.overMs(); at += r.everyMs()) {
          long elapsed = at;
          later(step.atMs() + at, () -> rampTo(index, step, cns, r.latencyAt(elapsed), false));
        }
        later(step.atMs() + r.overMs(), () -> rampTo(index, step, cns, r.toMs(), true));
      }
    }
  }

  private void rampTo(int index, Step step, Set<UUID> cns, long latency, boolean last) {
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
    }
    long t0 = timer.nanoTime();
    setLayer(index, new Layer(cns, rampDoc(step.ramp(), latency)));
    report(index, step, last ? "ramped" : "ramping", List.copyOf(cns), t0, Map.of("latency_ms", latency));
    if (last) {
      finished(index);
    }
  }

  private static Map<String, Object> rampDoc(Ramp r, long latency) {
    return Map.of("tasks", Map.of(r.task(), Map.of("latency_ms", latency)));
  }

  private void endLayer(int index, Step step) {
    Layer removed;
    synchronized (this) {
      if (state == State.STOPPED) {
        return;
      }
      removed = layers.remove(index);
    }
    long t0 = timer.nanoTime();
    if (removed != null) {
      removed.cns().forEach(this::refresh);
    }
    report(index, step, "ended", removed == null ? List.of() : List.copyOf(removed.cns()), t0, Map.of());
    finished(index);
  }

  private void setLayer(int index, Layer layer) {
    Set<UUID> touched = new HashSet<>(layer.cns());
    synchronized (this) {
      Layer before = layers.put(index, layer);
      if (before != null) {
        touched.addAll(before.cns());
      }
    }
    touched.forEach(this::refresh);
  }

  /** The CN's overlay again: every active layer over it, in step order. */
  private void refresh(UUID cn) {
    Map<String, Object> doc = null;
    synchronized (this) {
      for (Layer l : layers.values()) {
        if (l.cns().contains(cn)) {
          doc = doc == null ? l.doc() : BehaviourParser.merge(doc, l.doc());
        }
      }
    }
    target.overlay(cn, doc);
  }

  private synchronized void finished(int index) {
    unfinished.remove(index);
    if (unfinished.isEmpty() && state == State.RUNNING) {
      state = layers.isEmpty() ? State.DONE : State.HOLDING;
      line(null, state == State.DONE ? "done" : "holding", Map.of("layers", layers.size()));
    }
  }

  /** The step's CNs from those running now: all, a seeded choice of a count or percentage, listed ones, one hardware. */
  List<UUID> select(Selection s, int index) {
    List<UUID> pool = new ArrayList<>(target.servers());
    if (s.hardware() != null) {
      pool.removeIf(cn -> !s.hardware().equals(target.hardwareOf(cn)));
    }
    if (s.uuids() != null) {
      Set<UUID> wanted = new HashSet<>();
      s.uuids().forEach(u -> wanted.add(UUID.fromString(u)));
      pool.removeIf(cn -> !wanted.contains(cn));
      return pool;
    }
    if (s.count() == null && s.percent() == null) {
      return pool;
    }
    int n = s.count() != null ? Math.min(s.count(), pool.size()) : (int) Math.ceil(pool.size() * s.percent() / 100.0);
    Collections.shuffle(pool, new Random(baseSeed * 0x9E3779B97F4A7C15L + index));
    List<UUID> chosen = new ArrayList<>(pool.subList(0, n));
    Collections.sort(chosen);
    return chosen;
  }

  private void report(int index, Step step, String event, List<UUID> cns, long t0, Map<String, Object> extra) {
    Map<String, Object> more = new LinkedHashMap<>();
    more.put("kind", step.kind());
    more.put("servers", cns.size());
    if (cns.size() <= LIST_UUIDS_UP_TO) {
      more.put("uuids", cns.stream().map(UUID::toString).toList());
    }
    more.putAll(extra);
    more.put("took_ms", tookMs(t0));
    synchronized (this) {
      line(index, event, more);
    }
  }

  private long tookMs(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(timer.nanoTime() - t0);
  }

  private long elapsedMs() {
    return TimeUnit.NANOSECONDS.toMillis(timer.nanoTime() - startNanos);
  }

  /** One report line: {@code {"t_ms", "scenario", "step"?, "event", ...}}. Caller holds the lock. */
  private void line(Integer step, String event, Map<String, Object> more) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("t_ms", elapsedMs());
    l.put("scenario", id);
    if (step != null) {
      l.put("step", step);
    }
    l.put("event", event);
    l.putAll(more);
    report.add(l);
    if (report.size() > MAX_REPORT_LINES) {
      report.remove(0);
      reportDropped++;
    }
  }
}
