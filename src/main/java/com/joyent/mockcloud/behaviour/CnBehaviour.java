package com.joyent.mockcloud.behaviour;

import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatBehaviour;
import com.joyent.mockcloud.behaviour.Behaviour.TaskBehaviour;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One CN's behaviour as it is now, for its agents to ask: how a task goes, whether a heartbeat
 * is sent, whether status reports are. Changed by {@link FleetBehaviour} when a file changes;
 * every change re-seeds the CN's random choices from {@code seed} (so the same file gives the
 * same sequence again) and lets go of the tasks held by {@code hang}. Thread-safe.
 */
public final class CnBehaviour {
  private final UUID cn;
  private volatile Behaviour current = Behaviour.IDEAL;
  private volatile Random random = new Random();
  private final List<CompletableFuture<Void>> held = new ArrayList<>(); // guarded by this

  public CnBehaviour(UUID cn) {
    this.cn = cn;
  }

  /** A CN that does what an ideal one does until {@link #set} says otherwise. */
  public static CnBehaviour ideal(UUID cn) {
    return new CnBehaviour(cn);
  }

  public UUID uuid() {
    return cn;
  }

  public Behaviour current() {
    return current;
  }

  /** The new behaviour, from now on: re-seeds, and the held tasks go on under it. */
  public void set(Behaviour b) {
    List<CompletableFuture<Void>> release;
    synchronized (this) {
      random = b.seed() == null ? new Random() : new Random(mix(b.seed(), cn));
      current = b;
      release = new ArrayList<>(held);
      held.clear();
    }
    release.forEach(f -> f.complete(null));
  }

  /** How the next run of {@code task} goes; draws from the CN's random choices only if it has a behaviour. */
  public TaskPlan planTask(String task) {
    TaskBehaviour t = current.task(task);
    if (t == null) {
      return TaskPlan.AT_ONCE;
    }
    Random r = random;
    long latency = t.latencyMinMs() == t.latencyMaxMs() ? t.latencyMinMs()
        : t.latencyMinMs() + r.nextLong(t.latencyMaxMs() - t.latencyMinMs() + 1);
    boolean fail = t.failRate() > 0 && r.nextDouble() < t.failRate();
    return new TaskPlan(latency, fail, t.error(), t.hang());
  }

  /** Completes when the behaviour next changes (a hung task then plans again). */
  public synchronized CompletableFuture<Void> untilChanged() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    held.add(f);
    return f;
  }

  /** Tasks waiting in {@link #untilChanged} now (a released one has left the list). */
  public synchronized int held() {
    return held.size();
  }

  /** Whether the next heartbeat is sent, and how late. */
  public HeartbeatPlan planHeartbeat() {
    HeartbeatBehaviour h = current.heartbeat();
    return switch (h.mode()) {
      case NORMAL -> h.delayMs() == 0 ? HeartbeatPlan.NOW : new HeartbeatPlan(true, h.delayMs());
      case STOP -> HeartbeatPlan.SKIP;
      case DROP -> random.nextDouble() < h.dropRate() ? HeartbeatPlan.SKIP : new HeartbeatPlan(true, h.delayMs());
    };
  }

  public boolean statusReportsStopped() {
    return current.statusReportsStopped();
  }

  /** One task's run: wait {@code latencyMs}, then fail (with {@code error}, or the task's own words) or work. */
  public record TaskPlan(long latencyMs, boolean fail, String error, boolean hang) {
    public static final TaskPlan AT_ONCE = new TaskPlan(0, false, null, false);

    public boolean atOnce() {
      return equals(AT_ONCE);
    }
  }

  /** One heartbeat: sent or left out, and if sent, how late. */
  public record HeartbeatPlan(boolean send, long delayMs) {
    public static final HeartbeatPlan NOW = new HeartbeatPlan(true, 0);
    public static final HeartbeatPlan SKIP = new HeartbeatPlan(false, 0);
  }

  /** The seed for one CN: the same seed gives each CN its own sequence, the same one each time. */
  static long mix(long seed, UUID cn) {
    return seed ^ (cn.getMostSignificantBits() * 0x9E3779B97F4A7C15L) ^ cn.getLeastSignificantBits();
  }
}
