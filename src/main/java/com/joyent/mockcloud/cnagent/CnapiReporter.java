package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.CnBehaviour.HeartbeatPlan;
import com.joyent.mockcloud.control.DaemonMetrics;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.CnapiApi;
import com.joyent.mockcloud.triton.RequestGate;
import com.joyent.mockcloud.util.Backoff;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.util.TimerSlots;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CN's reporting to CNAPI (spec cn-agent.md §4): a FIFO of messages with at most one
 * in flight — sysinfo registration (retried with backoff until it succeeds; the queue waits
 * meanwhile), the agents list, the CN's traits when it has any (ServerUpdate; retried with
 * backoff until CNAPI takes them: they keep ordinary provisions off mock CNs), heartbeats (the next one 5 s after the previous completed),
 * status reports (≈0.5 s after heartbeats start, every 60 s, and soon after a VM change,
 * at most one per 5 s; a newer sample replaces one still waiting).
 *
 * <p>Threads: everything a reporter does runs on the threads of {@link CnapiReporting}, which
 * nothing but the CNs' reporters use (heartbeats first, docs/concurrency.md): its timers (next
 * heartbeat, status ticks, retries; on a 20 ms grid, {@link TimerSlots}, so heartbeats due
 * together wake the thread once), its own I/O thread (heartbeats and status reports complete
 * where their answer was read: each hand-off is a wake-up, and there are 2,000 heartbeats a
 * second at 10,000 CNs), its file threads (sysinfo and agents read files; status samples are
 * built there). Callbacks never block and change state only under this object's lock.
 */
public final class CnapiReporter {
  private static final Logger LOG = LoggerFactory.getLogger(CnapiReporter.class);

  enum Kind { SYSINFO, AGENTS, TRAITS, HEARTBEAT, STATUS }

  private final CnContext cn;
  private final int port;
  private final CnapiApi cnapi;
  private final File sysinfoFile;
  private final Backoff backoff;
  /** Made on the first failed traits update only: most CNs never need one. */
  private Backoff traitsBackoff;
  private final ArrayDeque<Kind> queue = new ArrayDeque<>(4);
  private boolean inFlight;
  private boolean stopped;
  private boolean registered;
  private boolean heartbeating;
  private Map<String, Object> pendingStatus;
  private long lastStatusSampleMs = Long.MIN_VALUE / 2;
  private boolean statusDirtyScheduled;
  /** The greatest mtime of sysinfo.json seen (spec §4.2.3: a greater one re-registers). */
  private long lastSysinfoMtime;
  /** What a status sample takes of sysinfo, as last read; null after sysinfo changed. */
  private SysinfoFigures sysinfoFigures;
  /** Counts sysinfo changes, so a read that raced with one is not kept. */
  private int sysinfoChanges;
  private int consecutiveFailures;
  private boolean awaitingAnswer;
  /** Heartbeats left out by the behaviour (guarded by this). */
  private long heartbeatsLeftOut;
  private Future<?> nextTimer;
  /** When the queued heartbeat was due (nanoTime): 5 s after the previous one's answer. */
  private long heartbeatDueNanos;
  private long heartbeatSentNanos;
  private Future<?> statusTimer;
  private final Runnable onRegistered;
  private final Executor fileWork;
  private final Timer timers;
  private final DaemonMetrics metrics;

  /**
   * @param port where the CN's cn-agent listens (its sysinfo's {@code CN Agent Port})
   * @param onRegistered called once the first registration succeeded (tasks may then run)
   */
  public CnapiReporter(CnContext cn, CnapiApi cnapi, int port, Runnable onRegistered) {
    this.cn = cn;
    this.port = port;
    this.cnapi = cnapi;
    this.fileWork = cn.reporting().files();
    this.timers = cn.reporting().timers();
    this.metrics = cn.reporting().metrics();
    this.sysinfoFile = cn.dir().sysinfoFile().toFile();
    this.onRegistered = onRegistered;
    this.backoff = Backoff.backo2(cn.options().backoffMin().toMillis(), cn.options().backoffMax().toMillis(),
        new Random());
  }

  /** sysinfo.json's mtime in ms, 0 when missing (one stat). */
  private long sysinfoMtime() {
    return sysinfoFile.lastModified();
  }

  /** Queues the first registration; everything else follows from its success. */
  public void start() {
    long now = sysinfoMtime();
    synchronized (this) {
      lastSysinfoMtime = now;
      enqueue(Kind.SYSINFO);
    }
    pump();
  }

  public synchronized boolean isRegistered() {
    return registered;
  }

  /** A request was handed to CNAPI (or waits at the gate) and its answer has not come back yet. */
  public synchronized boolean isAwaitingAnswer() {
    return awaitingAnswer;
  }
  /**
   * Heartbeats the behaviour left out so far. Once it grows after a behaviour change, every
   * heartbeat sent before the change has been answered: the queue sends one message at a time.
   */
  public synchronized long heartbeatsLeftOut() {
    return heartbeatsLeftOut;
  }


  /** Stops sending: nothing queued is sent, nothing new is queued. */
  public void stop() {
    synchronized (this) {
      stopped = true;
      queue.clear();
      if (nextTimer != null) {
        nextTimer.cancel(false);
      }
      if (statusTimer != null) {
        statusTimer.cancel(false);
      }
    }
  }

  /** sysinfo.json changed (a task rewrote it): re-register, once even if asked twice. */
  public void sysinfoChanged() {
    long now = sysinfoMtime();
    synchronized (this) {
      lastSysinfoMtime = Math.max(lastSysinfoMtime, now);
      sysinfoFigures = null;
      sysinfoChanges++;
      enqueue(Kind.SYSINFO);
    }
    pump();
  }

  /**
   * Called when the fleet's watcher saw sysinfo.json change, or by its poll: re-registers when
   * the file's mtime is greater than any seen before (spec §4.2.3; hand edits too). A file
   * that is gone for the moment has mtime 0 and changes nothing.
   */
  public void checkSysinfo() {
    long now = sysinfoMtime();
    boolean changed;
    synchronized (this) {
      changed = now > lastSysinfoMtime;
      if (changed) {
        lastSysinfoMtime = now;
        sysinfoFigures = null;
        sysinfoChanges++;
        enqueue(Kind.SYSINFO);
      }
    }
    if (changed) {
      pump();
    }
  }

  /** A VM of this CN changed: send a status report soon (throttled). */
  public void vmsChanged() {
    synchronized (this) {
      if (!heartbeating || stopped || statusDirtyScheduled) {
        return;
      }
      statusDirtyScheduled = true;
      long wait = Math.max(0, lastStatusSampleMs + cn.options().statusThrottle().toMillis() - cn.clock().millis());
      timers.schedule(() -> {
        synchronized (this) {
          statusDirtyScheduled = false;
        }
        takeStatusSample();
      }, wait, TimeUnit.MILLISECONDS);
    }
  }

  /** POSTs the agents list now, outside the queue (refresh_agents and the agent tasks). */
  public CompletableFuture<ApiResponse> postAgentsNow() {
    try {
      return cnapi.postAgents(cn.serverUuid(), agentsBody(), RequestGate.Lane.REPORT);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The CN's traits.json, else the fleet's setting, else null (nothing to assert). */
  private Map<String, Object> traits() throws IOException {
    Map<String, Object> own = cn.dir().readTraits();
    return own != null ? own : cn.settings().fleetTraits();
  }

  /** A queued message that turned out to have nothing to say: the next one goes. */
  private void nothingToSend() {
    synchronized (this) {
      awaitingAnswer = false;
      inFlight = false;
    }
    pump();
  }

  private Map<String, Object> agentsBody() throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("agents", AgentsList.read(cn.dir().agentsDir()));
    return body;
  }

  private void enqueue(Kind k) {
    assert Thread.holdsLock(this);
    if (stopped) {
      return;
    }
    if ((k == Kind.SYSINFO || k == Kind.STATUS) && queue.contains(k)) {
      return; // coalesce: the newest state is read when it is sent
    }
    queue.addLast(k);
  }

  /** Sends the head of the queue if nothing is in flight. */
  private void pump() {
    Kind k;
    synchronized (this) {
      if (inFlight || stopped || queue.isEmpty()) {
        return;
      }
      // Off the queue while in flight: a change meanwhile queues a message of its own, sent
      // after this one, rather than merging into the one that has already read its state.
      k = queue.pollFirst();
      inFlight = true;
      awaitingAnswer = true;
    }
    if (k == Kind.SYSINFO || k == Kind.AGENTS || k == Kind.TRAITS) {
      try {
        fileWork.execute(() -> send(k)); // they read sysinfo.json and the agents directory
      } catch (RuntimeException rejected) { // the pool is shutting down
        completed(k, null, rejected);
      }
    } else if (k == Kind.HEARTBEAT) {
      HeartbeatPlan plan = cn.behaviour().planHeartbeat();
      if (!plan.send()) {
        heartbeatLeftOut();
      } else if (plan.delayMs() > 0) {
        timers.schedule(() -> send(k), plan.delayMs(), TimeUnit.MILLISECONDS);
      } else {
        send(k);
      }
    } else {
      send(k);
    }
  }

  /**
   * A heartbeat the behaviour leaves out (mode stop, or dropped): nothing is sent, and the next
   * one falls due an interval later, as if this one had been answered at once.
   */
  private void heartbeatLeftOut() {
    synchronized (this) {
      heartbeatsLeftOut++;
      awaitingAnswer = false;
      inFlight = false;
      if (stopped) {
        return;
      }
      armNextHeartbeat(timers.nanoTime());
    }
    pump();
  }

  /** The next heartbeat falls due an interval after {@code now}, on the CN's aligned slot; caller holds the lock. */
  private void armNextHeartbeat(long now) {
    heartbeatDueNanos = now + cn.options().heartbeatInterval().toNanos();
    nextTimer = timers.schedule(this::queueHeartbeat,
        TimerSlots.alignedNanos(now, cn.options().heartbeatInterval().toMillis()), TimeUnit.NANOSECONDS);
  }

  private void send(Kind k) {
    CompletableFuture<ApiResponse> sent;
    try {
      sent = switch (k) {
        case SYSINFO -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("sysinfo", cn.sysinfoListeningOn(port));
          yield cnapi.postSysinfo(cn.serverUuid(), body, reportLane());
        }
        case AGENTS -> cnapi.postAgents(cn.serverUuid(), agentsBody(), reportLane());
        case TRAITS -> {
          Map<String, Object> traits = traits();
          yield traits == null ? null : cnapi.updateServer(cn.serverUuid(), Map.of("traits", traits), reportLane());
        }
        case HEARTBEAT -> {
          heartbeatSent();
          yield cnapi.heartbeat(cn.serverUuid());
        }
        case STATUS -> cnapi.postStatus(cn.serverUuid(), takePendingStatus());
      };
    } catch (IOException | RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    if (sent == null) {
      nothingToSend();
      return;
    }
    sent.whenComplete((resp, err) -> completed(k, resp, err));
  }

  /**
   * Before the CN heartbeats, its sysinfo and agents are its registration and wait behind
   * every registered CN's heartbeats; afterwards a report holds this CN's next heartbeat back.
   */
  private synchronized RequestGate.Lane reportLane() {
    return heartbeating ? RequestGate.Lane.REPORT : RequestGate.Lane.REGISTRATION;
  }

  private synchronized void heartbeatSent() {
    heartbeatSentNanos = timers.nanoTime();
    metrics.heartbeatSent(Math.max(0, heartbeatSentNanos - heartbeatDueNanos) / 1e9);
  }

  private synchronized Map<String, Object> takePendingStatus() {
    Map<String, Object> s = pendingStatus;
    pendingStatus = null;
    return s;
  }

  private void completed(Kind k, ApiResponse resp, Throwable err) {
    synchronized (this) {
      awaitingAnswer = false;
    }
    boolean ok = err == null && resp.isSuccessful();
    boolean firstRegistration = false;
    if (ok) {
      recovered(k);
    } else {
      failed(k, resp, err);
    }
    synchronized (this) {
      if (stopped) {
        inFlight = false;
        return;
      }
      if (k == Kind.SYSINFO) {
        boolean gaveUp = !ok && resp != null && resp.status() == 404 && "ResourceNotFound".equals(resp.restCode());
        if (!ok && !gaveUp) {
          long delay = backoff.nextDelayMs();
          // The queue stays blocked (inFlight) until the retry: nothing else is sent meanwhile.
          nextTimer = timers.schedule(this::retrySysinfo, delay, TimeUnit.MILLISECONDS);
          return;
        }
        backoff.reset();
        if (!registered) {
          registered = true;
          firstRegistration = true;
          enqueue(Kind.AGENTS);
          enqueue(Kind.TRAITS);
        }
      } else {
        if (k == Kind.AGENTS && !heartbeating) {
          heartbeating = true;
          heartbeatDueNanos = timers.nanoTime();
          enqueue(Kind.HEARTBEAT);
          statusTimer = timers.schedule(this::statusTick, cn.options().firstStatusDelay().toMillis(),
              TimeUnit.MILLISECONDS);
        } else if (k == Kind.TRAITS && !ok) {
          if (traitsBackoff == null) {
            traitsBackoff = Backoff.backo2(cn.options().backoffMin().toMillis(), cn.options().backoffMax().toMillis(),
                new Random());
          }
          timers.schedule(() -> {
            synchronized (this) {
              enqueue(Kind.TRAITS);
            }
            pump();
          }, traitsBackoff.nextDelayMs(), TimeUnit.MILLISECONDS);
        } else if (k == Kind.HEARTBEAT) {
          long now = timers.nanoTime();
          metrics.heartbeatDone(ok, (now - heartbeatSentNanos) / 1e9);
          armNextHeartbeat(now);
        }
      }
      inFlight = false;
    }
    // Also after giving up on a 404 ResourceNotFound (an old CNAPI): the reference then
    // carries on as registered and accepts tasks.
    if (firstRegistration && onRegistered != null) {
      onRegistered.run();
    }
    pump();
  }

  /** The registration again, first in line: it reads the newest sysinfo, so one queued meanwhile merges into it. */
  private void retrySysinfo() {
    synchronized (this) {
      inFlight = false;
      if (stopped) {
        return;
      }
      queue.remove(Kind.SYSINFO);
      queue.addFirst(Kind.SYSINFO);
    }
    pump();
  }

  private void queueHeartbeat() {
    synchronized (this) {
      enqueue(Kind.HEARTBEAT);
    }
    pump();
  }

  /** The periodic status report: take a sample now, and again after the interval. */
  private void statusTick() {
    takeStatusSample();
    synchronized (this) {
      if (!stopped) {
        statusTimer = timers.schedule(this::statusTick,
            TimerSlots.alignedNanos(timers.nanoTime(), cn.options().statusInterval().toMillis()), TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Builds the sample on the reporters' file threads: it walks every VM of the CN and may read
   * sysinfo.json, too long for the timer thread that every CN's heartbeats share, and those
   * threads serve only the reporters, so no task or other work can stand before a status
   * report (heartbeats first, docs/concurrency.md).
   */
  private void takeStatusSample() {
    if (cn.behaviour().statusReportsStopped()) {
      return; // status_reports mode stop: the ticks go on, nothing is sampled or sent
    }
    try {
      fileWork.execute(this::buildStatusSample);
    } catch (RejectedExecutionException shuttingDown) {
      // The daemon is closing: no report is sent any more.
    }
  }

  private void buildStatusSample() {
    Map<String, Object> sample;
    try {
      sample = StatusSample.take(cn.vms(), cn.options().statusReportsVms(), sysinfoFigures(), cn.clock().instant());
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot take status sample of {}: {}", cn.serverUuid(), e.toString());
      synchronized (this) {
        if (!stopped) {
          // As the reference: try again once the throttle has passed.
          timers.schedule(this::takeStatusSample, cn.options().statusThrottle().toMillis(),
              TimeUnit.MILLISECONDS);
        }
      }
      return;
    }
    synchronized (this) {
      lastStatusSampleMs = cn.clock().millis();
      pendingStatus = sample;
      enqueue(Kind.STATUS);
    }
    pump();
  }

  /**
   * sysinfo's boot time and totals, read again only after sysinfo changed: every CN takes a
   * sample a minute, and the file only changes when a task or a hand edit rewrites it.
   */
  private SysinfoFigures sysinfoFigures() throws IOException {
    int changes;
    synchronized (this) {
      if (sysinfoFigures != null) {
        return sysinfoFigures;
      }
      changes = sysinfoChanges;
    }
    // Only those few keys are wanted of the whole sysinfo: skip the rest unparsed.
    SysinfoFigures read = SysinfoFigures.of(Json.parseObjectKeys(Files.readAllBytes(cn.dir().sysinfoFile()),
        SysinfoFigures.KEYS));
    synchronized (this) {
      if (changes == sysinfoChanges) {
        sysinfoFigures = read;
      }
    }
    return read;
  }

  private void failed(Kind k, ApiResponse resp, Throwable err) {
    int n;
    synchronized (this) {
      n = ++consecutiveFailures;
    }
    String what = err != null ? err.toString() : resp.status() + " " + resp.restCode();
    // With thousands of CNs and CNAPI down, one line per CN per outage, not per attempt.
    if (n == 1) {
      LOG.warn("CNAPI {} of server {} failed: {}", k, cn.serverUuid(), what);
    } else {
      LOG.debug("CNAPI {} of server {} failed ({} in a row): {}", k, cn.serverUuid(), n, what);
    }
  }

  private void recovered(Kind k) {
    int n;
    synchronized (this) {
      n = consecutiveFailures;
      consecutiveFailures = 0;
    }
    if (n > 0) {
      LOG.info("CNAPI {} of server {} succeeded again after {} failure(s)", k, cn.serverUuid(), n);
    }
  }

  /** What waits to be sent (not what is in flight), for tests. */
  synchronized List<Kind> queued() {
    return List.copyOf(queue);
  }
}
