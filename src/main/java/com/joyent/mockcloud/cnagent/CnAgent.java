package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.Behaviour.ListenerMode;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.triton.CnapiApi;
import com.joyent.mockcloud.vm.Subscription;
import com.joyent.mockcloud.vm.VmEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cn-agent of one mock CN (spec cn-agent.md §1.2): its own listener on the bind IP,
 * its task runner and history, the pause flag, and its CNAPI reporter. Tasks are accepted
 * once the first sysinfo registration has succeeded (before that {@code POST /tasks}
 * answers 404 with no body, as the reference). Holds no thread of its own.
 */
public final class CnAgent {
  private static final Logger LOG = LoggerFactory.getLogger(CnAgent.class);

  private final CnContext cn;
  private final TaskHistory history = new TaskHistory();
  private final TaskRunner runner;
  private final TaskLogRetention logRetention;
  private volatile boolean paused;
  private volatile boolean draining; // set once, by drain()
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  /** Tasks admitted and not yet answered; bounded by {@link #admission}. */
  private final AtomicInteger activeTasks = new AtomicInteger();
  private final TaskAdmission admission;
  private volatile boolean acceptsTasks;
  private HttpListeners.Listener listener; // guarded by this; null while closed (stopped, or listener mode refuse)
  private HttpListeners listeners; // guarded by this
  private boolean stopped; // guarded by this
  private final Executor executor;
  private Subscription vmEvents;
  /** Set once by {@link #start}; read by tasks, the fleet's sysinfo checks and VM events. */
  private volatile int port;
  private volatile CnapiReporter reporter;

  /**
   * @param executor the shared bounded pool tasks run on
   * @param admission the bounds on tasks in flight, one instance shared by every CN of the process
   */
  public CnAgent(CnContext cn, Executor executor, TaskAdmission admission) {
    this.cn = cn;
    this.executor = executor;
    this.admission = admission;
    this.logRetention = new TaskLogRetention(cn.dir().logsDir().resolve("cn-agent"),
        cn.settings().taskLogMaxFiles(), cn.settings().taskLogMaxAge(), cn.clock(), executor, cn.timer());
    this.runner = new TaskRunner(this, executor, history, logRetention);
  }

  public UUID serverUuid() {
    return cn.serverUuid();
  }

  public CnContext context() {
    return cn;
  }

  /**
   * Opens the listener and starts reporting.
   *
   * @param askedPort 0 for an OS-chosen port
   */
  public void start(HttpListeners listeners, int askedPort) throws IOException {
    Files.createDirectories(cn.dir().logsDir().resolve("cn-agent"));
    logRetention.start();
    HttpListeners.Listener l = listeners.open(cn.bindIp(), askedPort, CnAgentRoutes.handlerFor(this));
    synchronized (this) {
      this.listeners = listeners;
      this.listener = l;
    }
    this.port = l.port();
    CnapiApi cnapi = cn.apis().cnapi(cn.options().userAgent(cn.serverUuid()), cn.options().requestTimeout(),
        cn.options().cnapiConnectionPerRequest());
    CnapiReporter reporter = new CnapiReporter(cn, cnapi, port, () -> acceptsTasks = true);
    this.reporter = reporter;
    if (cn.vms() != null) {
      vmEvents = cn.vms().subscribe(this::onVmEvent);
    }
    reporter.start();
    applyListenerMode(); // a behaviour file may say refuse from the start: the port is known, and closed
    LOG.debug("cn-agent of {} listening on {}:{}", cn.serverUuid(), cn.bindIp(), port);
  }

  /**
   * Follows the behaviour's listener mode: {@code refuse} closes the listener and drops its
   * connections (heartbeats go on: the CN is up, its cn-agent unreachable); any other mode has it
   * open again on the CN's port. Hang and unavailable are the routes' ({@link CnAgentRoutes}).
   */
  public synchronized void applyListenerMode() {
    if (stopped || listeners == null) {
      return;
    }
    boolean refuse = cn.behaviour().current().listener() == ListenerMode.REFUSE;
    if (refuse && listener != null) {
      listener.closeAndDrop();
      listener = null;
      LOG.info("cn-agent of {} refuses connections (behaviour listener refuse)", cn.serverUuid());
    } else if (!refuse && listener == null) {
      try {
        listener = listeners.open(cn.bindIp(), port, CnAgentRoutes.handlerFor(this));
        LOG.info("cn-agent of {} listens again on {}:{}", cn.serverUuid(), cn.bindIp(), port);
      } catch (HttpListeners.PortTakenException e) {
        LOG.warn("cn-agent of {} cannot listen again: {}", cn.serverUuid(), e.getMessage());
      }
    }
  }

  /** Whether the listener is open (false while stopped, or while the behaviour says refuse). */
  public synchronized boolean isListening() {
    return listener != null;
  }

  /** Stops reporting and closes the listener; running tasks finish on their own and still answer. */
  public void stop() {
    stop(false);
  }

  /**
   * Stops reporting and closes the listener; with {@code dropConnections}, also the connections
   * it accepted, answers in progress too (a CN powered off, a cn-agent killed by a restart).
   */
  public void stop(boolean dropConnections) {
    CnapiReporter reporter = this.reporter;
    if (reporter != null) {
      reporter.stop();
    }
    if (vmEvents != null) {
      vmEvents.close();
    }
    logRetention.close();
    synchronized (this) {
      stopped = true;
      if (listener != null) {
        if (dropConnections) {
          listener.closeAndDrop();
        } else {
          listener.close();
        }
        listener = null;
      }
    }
  }

  /** Whether a cn-agent task has this name (behaviour files are checked against it). */
  public static boolean isTask(String name) {
    return TaskTable.isKnown(name);
  }

  public int port() {
    return port;
  }

  /** This CN's reporter; null before {@link #start}. */
  public CnapiReporter reporter() {
    return reporter;
  }

  /**
   * sysinfo.json changed on disk, perhaps: re-register if its mtime is greater than any seen
   * ({@link CnapiReporter#checkSysinfo}). Nothing before {@link #start}.
   */
  public void checkSysinfo() {
    CnapiReporter r = reporter;
    if (r != null) {
      r.checkSysinfo();
    }
  }

  /** sysinfo.json as on disk with this agent's {@code CN Agent Port} and {@code CN Agent IP}. */
  Map<String, Object> currentSysinfo() throws IOException {
    return cn.sysinfoListeningOn(port);
  }

  boolean acceptsTasks() {
    return acceptsTasks;
  }

  /** True once {@link #drain()} was called: new tasks are refused from then on. */
  public boolean isDraining() {
    return draining;
  }

  public boolean isPaused() {
    return paused;
  }

  void setPaused(boolean paused) {
    this.paused = paused;
  }

  TaskHistory history() {
    return history;
  }

  /**
   * A place for one more task of this CN.
   *
   * @throws com.joyent.mockcloud.http.RestError 503 when this CN or the process has too many tasks in flight
   */
  TaskAdmission.Slot admitTask() {
    return admission.admit(activeTasks);
  }

  /**
   * Dispatches an admitted task; its slot is released when the answer is complete (finish,
   * error, crash or timeout), before the answer is written, so a client that sends its next
   * task on the answer finds the place free. If this throws, the slot is still the caller's.
   */
  CompletableFuture<RestResponse> runTask(String name, String requestId, Object params, TaskAdmission.Slot slot) {
    return runner.run(name, TaskTable.body(name), requestId, params).whenComplete((r, e) -> {
      slot.release();
      completeDrainIfIdle();
    });
  }

  /** Tasks running now (admitted, their answers not yet given). */
  public int activeTasks() {
    return activeTasks.get();
  }

  /**
   * First step of a clean shutdown: no more heartbeats or reports, and new tasks are refused
   * as when paused (503); running tasks go on and still answer. The future completes when the
   * last running task has answered (at once when none runs).
   */
  public CompletableFuture<Void> drain() {
    paused = true;
    draining = true;
    CnapiReporter reporter = this.reporter;
    if (reporter != null) {
      reporter.stop();
    }
    completeDrainIfIdle();
    return drained;
  }

  /** Completes the drain once no task runs but those a behaviour holds (they would never answer). */
  void completeDrainIfIdle() {
    if (draining && activeTasks.get() <= cn.behaviour().held()) {
      drained.complete(null);
    }
  }

  private void onVmEvent(VmEvent event) {
    CnapiReporter reporter = this.reporter;
    if (reporter != null) {
      reporter.vmsChanged();
    }
  }
}
