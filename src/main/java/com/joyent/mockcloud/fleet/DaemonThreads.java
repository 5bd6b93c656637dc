package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.cnagent.TaskAdmission;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.control.DaemonMetrics;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.http.WebSocketDialer;
import com.joyent.mockcloud.io.DirectoryWatcher;
import com.joyent.mockcloud.triton.CnapiReporting;
import com.joyent.mockcloud.triton.RequestGate;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.util.NamedThreads;
import com.joyent.mockcloud.util.Timer;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every thread of run-servers is born here, and every bound on its work in flight is made here
 * too; each is handed out through constructors. docs/concurrency.md says what each may do,
 * {@link ThreadNames} lists their names (a test holds a running daemon to that list):
 *
 * <ul>
 *   <li>{@code mockcloud-io I/O-N}: the XNIO worker serving every HTTP listener and the shared
 *       outbound client's connections; never blocks. Each XNIO worker here adds a
 *       {@code <name> Accept} thread.
 *   <li>{@code mockcloud-scheduler-1}: every other delay and period (polls, retries, rescans);
 *       its jobs only decide and hand off, they never block.
 *   <li>{@code mockcloud-task-N}: bounded pool running cn-agent tasks and agent work that
 *       touches disk; may block on disk.
 *   <li>{@code mockcloud-netagent-1}: every CN's net-agent event loop (its state machines and
 *       timers); kept off the shared scheduler so NAPI work never delays its jobs.
 *   <li>{@code mockcloud-http-N}: completion callbacks of the one shared outbound HTTP
 *       client, whose connections live on the I/O worker above.
 *   <li>{@code mockcloud-io-ws I/O-1}: the net-agents' changefeed WebSockets.
 *   <li>{@code mockcloud-watch-1}: the one directory watcher (inotify, polled by the JDK's
 *       {@code FileSystemWatchService}) for every CN's directory (sysinfo.json) and
 *       {@code vms/} directory; it only notes changes.
 *   <li>{@code mockcloud-reporter-1}, {@code mockcloud-reporter-files-N} and
 *       {@code mockcloud-reporter-io I/O-1}: every CN's CNAPI reporting (heartbeats, status,
 *       sysinfo, agents), its timers, file reads and status samples, and connections, on
 *       threads that nothing else uses ({@link CnapiReporting}), so no other work can queue
 *       ahead of a heartbeat.
 *   <li>{@code mockcloud-download-N} and the JDK's {@code HttpClient-N-SelectorManager}:
 *       agent_install's image downloads, made on the first one.
 * </ul>
 *
 * <p>Bounds: the CNAPI reporters' gate, the vm-agents' gate, the net-agents' gate per NAPI URL
 * and the cn-agent tasks' admission. None of them grows with the number of CNs. The Triton API
 * views every CN gets are made over these clients and gates ({@link #tritonApis}).
 */
public final class DaemonThreads implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(DaemonThreads.class);
  private static final int REPORTER_FILE_THREADS = 8;
  /**
   * CNAPI reports in flight at once: 10,000 CNs send 2,000 heartbeats a second, and at an
   * answer time of ~50 ms under load that is ~100 in flight; 64 made them queue at the gate.
   */
  private static final int REPORTING_IN_FLIGHT = 128;
  private final HttpListeners listeners;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ScheduledThreadPoolExecutor netAgentLoop;
  private final Timer timer;
  private final Timer netAgentTimer;
  private final ThreadPoolExecutor taskPool;
  private final ThreadPoolExecutor httpCallbacks;
  private final OutboundHttp httpClient;
  /**
   * The vm-agents' gate. Only bulk work passes it since CNAPI reporting has a gate of its own,
   * so one lane; 48 places, what bulk could take of the 64 when heartbeats shared this gate.
   */
  private final RequestGate outbound = RequestGate.singleLane(48);
  /** The net-agents' gates, one per NAPI URL (in practice the one of the settings). */
  private final Map<String, RequestGate> napiGates = new HashMap<>(); // guarded by this
  private final DirectoryWatcher watcher;
  private final ScheduledThreadPoolExecutor reporterTimers;
  private final ThreadPoolExecutor reporterFiles;
  private final CnapiReporting reporting;
  /** The bounds on cn-agent tasks in flight, shared by every CN. */
  private final TaskAdmission taskAdmission = new TaskAdmission();
  /** The download client's threads, none until agent_install runs; unbounded as the JDK's own pool. */
  private final ThreadPoolExecutor downloadThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60,
      TimeUnit.SECONDS, new SynchronousQueue<>(), new NamedThreads("download"));
  private HttpClient downloads; // guarded by this; made on first use
  private io.netty.channel.nio.NioEventLoopGroup fastLoop; // guarded by this; made on first use
  private io.netty.channel.nio.NioEventLoopGroup dhcpLoop; // guarded by this; made on first use
  private final DaemonMetrics metrics = new DaemonMetrics();

  public DaemonThreads(int ioThreads, int taskThreads) {
    this.listeners = new HttpListeners("mockcloud-io", ioThreads);
    this.scheduler = new ScheduledThreadPoolExecutor(1, new NamedThreads("scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    this.netAgentLoop = new ScheduledThreadPoolExecutor(1, new NamedThreads("netagent"));
    netAgentLoop.setRemoveOnCancelPolicy(true);
    this.timer = Timer.on(scheduler);
    this.netAgentTimer = Timer.on(netAgentLoop);
    this.taskPool = new ThreadPoolExecutor(taskThreads, taskThreads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new NamedThreads("task"));
    taskPool.allowCoreThreadTimeOut(true);
    this.httpCallbacks = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new NamedThreads("http"));
    httpCallbacks.allowCoreThreadTimeOut(true);
    this.httpClient = listeners.newClient(httpCallbacks);
    this.watcher = newWatcher();
    this.reporterTimers = new ScheduledThreadPoolExecutor(1, new NamedThreads("reporter"));
    reporterTimers.setRemoveOnCancelPolicy(true);
    // Several threads: at start every CN reads its sysinfo and its agents directory (~25 small
    // files) before its first heartbeat, 10,000 CNs at once; one thread made that a queue of
    // minutes. They serve only the reporters, so task work never stands before them.
    this.reporterFiles = new ThreadPoolExecutor(REPORTER_FILE_THREADS, REPORTER_FILE_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new NamedThreads("reporter-files"));
    reporterFiles.allowCoreThreadTimeOut(true);
    // Failures of reports complete on the reporter's timer thread: they only log and re-arm.
    this.reporting = new CnapiReporting(OutboundHttp.onOwnIoThread("mockcloud-reporter-io", reporterTimers),
        new RequestGate(REPORTING_IN_FLIGHT), Timer.on(reporterTimers), reporterFiles, metrics);
    metrics.gauge("outbound_waiting", "requests waiting for a place at an outbound gate, by gate and lane",
        new String[] {"gate", "lane"},
        new DaemonMetrics.Series(() -> reporting.gate().waiting(RequestGate.Lane.HEARTBEAT), "cnapi", "heartbeat"),
        new DaemonMetrics.Series(() -> reporting.gate().waiting(RequestGate.Lane.REPORT), "cnapi", "report"),
        new DaemonMetrics.Series(() -> reporting.gate().waiting(RequestGate.Lane.REGISTRATION), "cnapi",
            "registration"),
        new DaemonMetrics.Series(() -> outbound.waiting(RequestGate.Lane.BULK), "shared", "bulk"));
    metrics.gauge("outbound_in_flight", "requests started and not yet answered, by outbound gate",
        new String[] {"gate"},
        new DaemonMetrics.Series(() -> reporting.gate().inFlight(), "cnapi"),
        new DaemonMetrics.Series(outbound::inFlight, "shared"));
    metrics.counter("changefeed_frames", "NAPI changefeed frames received by the net-agents' WebSockets",
        listeners.webSockets()::framesReceived);
    metrics.gauge("task_pool_queued", "jobs waiting for a task thread", new String[0],
        new DaemonMetrics.Series(() -> taskPool.getQueue().size()));
  }

  private static DirectoryWatcher newWatcher() {
    try {
      return new DirectoryWatcher(new NamedThreads("watch"));
    } catch (IOException e) {
      LOG.warn("no file watching available ({}): sysinfo.json and VM files are polled", e.toString());
      return null;
    }
  }

  /** Sized for this machine: I/O threads = cores, task threads = 4 × cores (disk-bound work). */
  public static DaemonThreads forThisMachine() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new DaemonThreads(Math.max(1, cores), Math.max(32, 4 * cores));
  }

  public HttpListeners listeners() {
    return listeners;
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The shared scheduler as the agents' {@link Timer}: cn-agent task waits, vm-agent retries. */
  public Timer timer() {
    return timer;
  }

  /** Where net-agents run their event loops and timers. */
  public Timer netAgentLoop() {
    return netAgentTimer;
  }

  public ExecutorService taskPool() {
    return taskPool;
  }

  /** Client WebSockets (the net-agents' NAPI changefeeds) on the shared I/O worker. */
  public WebSocketDialer webSockets() {
    return listeners.webSockets();
  }

  public OutboundHttp httpClient() {
    return httpClient;
  }

  /** The directory watcher every CN's directories share; null where the platform has none (poll instead). */
  public DirectoryWatcher watcher() {
    return watcher;
  }

  /** The bound on the vm-agents' requests in flight (VMAPI syncs and updates). */
  public RequestGate outbound() {
    return outbound;
  }

  /**
   * The gate of one NAPI, shared by every net-agent and the shared changefeed using it: at most
   * {@code limit} requests started and not yet answered, the rest wait in one FIFO. The first
   * caller's limit wins.
   */
  public synchronized RequestGate napiGate(URI napiUrl, int limit) {
    String key = napiUrl.toString().replaceFirst("/+$", "");
    return napiGates.computeIfAbsent(key, u -> RequestGate.singleLane(limit));
  }

  /**
   * The Triton API views of {@code settings} over this process's clients and gates: CNAPI on the
   * reporters' own client and gate, VMAPI behind {@link #outbound()}, NAPI behind
   * {@link #napiGate} (started on the task pool), the tasks' APIs on {@link #httpClient()}.
   *
   * @param napiInFlight the NAPI gate's limit, if this makes it
   */
  public TritonApis tritonApis(Settings settings, int napiInFlight) {
    RequestGate napi = settings.napiUrl() == null ? null : napiGate(settings.napiUrl(), napiInFlight);
    return new TritonApis(settings, httpClient, outbound, napi, taskPool, webSockets(), reporting);
  }

  /** run-servers' own figures (the control port serves them). */
  public DaemonMetrics metrics() {
    return metrics;
  }

  /** What every CN's CNAPI reporter sends with: threads, client and gate of its own. */
  public CnapiReporting cnapiReporting() {
    return reporting;
  }

  /** The bounds on cn-agent tasks in flight (per CN and for the process). */
  public TaskAdmission taskAdmission() {
    return taskAdmission;
  }

  /**
   * The JDK client agent_install streams image files to disk with ({@code OutboundHttp} holds
   * an answer in memory). Made on first use, so a daemon that never installs an agent has no
   * selector thread.
   */
  public synchronized HttpClient downloads() {
    if (downloads == null) {
      downloads = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(downloadThreads).build();
    }
    return downloads;
  }

  /** The firewallers' fast-messages connections to FWAPI: one Netty thread, made on first use. */
  public synchronized io.netty.channel.EventLoopGroup fastLoop() {
    if (fastLoop == null) {
      fastLoop = new io.netty.channel.nio.NioEventLoopGroup(1, new NamedThreads("fast"));
    }
    return fastLoop;
  }

  /** Every CN's DHCP client (--admin-ip-source dhcp): one Netty thread, made on first use. */
  public synchronized io.netty.channel.EventLoopGroup dhcpLoop() {
    if (dhcpLoop == null) {
      dhcpLoop = new io.netty.channel.nio.NioEventLoopGroup(1, new NamedThreads("dhcp"));
    }
    return dhcpLoop;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (fastLoop != null) {
        fastLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      if (dhcpLoop != null) {
        dhcpLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
    reporterTimers.shutdownNow();
    reporting.http().close();
    reporterFiles.shutdownNow();
    scheduler.shutdownNow();
    netAgentLoop.shutdownNow();
    taskPool.shutdown();
    try {
      taskPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    taskPool.shutdownNow();
    httpClient.close();
    httpCallbacks.shutdownNow();
    downloadThreads.shutdownNow();
    listeners.close();
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debug("closing the directory watcher: {}", e.toString());
      }
    }
  }
}
