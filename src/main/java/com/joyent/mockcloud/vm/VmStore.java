package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.DirectoryWatcher;
import com.joyent.mockcloud.util.NamedThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM store of the whole process: one {@link ServerVms} per open mock CN, all sharing one
 * disk seam, one clock, one executor, one scheduler, one directory watcher and one set of
 * striped VM locks. Nothing here costs a thread, timer or watch service per server.
 *
 * <pre>
 * VmStore store = VmStore.builder().executor(pool).scheduler(scheduler).build();
 * ServerVms vms = store.openServer(serverUuid, serverDir, ServerIdentity.fromSysinfo(sysinfo));
 * String uuid = vms.create(payload);          // cn-agent tasks (worker pool; may block on disk)
 * Map&lt;String, Object&gt; vm = vms.load(uuid);
 * Subscription sub = vms.subscribe(event -&gt; ...);  // vm-agent, net-agent, status reporter
 * store.closeServer(serverUuid);              // fleet manager: the server directory went away
 * </pre>
 *
 * <p>On disk: {@code <server dir>/vms/<vm_uuid>.json}, pretty JSON (2 spaces, trailing newline),
 * replaced by writing {@code <vm_uuid>.json.<pid>.<n>} in the same directory, fsync, rename,
 * fsync of the directory; so after a crash or {@code kill -9} each VM file is either its old or
 * its new version. Temp files are ignored; when a server is opened, those whose writer is gone
 * are removed ({@link LeftoverTempFiles}).
 *
 * <p>Noticing hand edits ({@link WatchMode}): {@code WATCH} (default) registers every
 * {@code vms/} directory with one shared {@link VmDirWatcher}; a server whose directory
 * cannot be watched is polled. One periodic task on the scheduler (every {@code pollPeriod})
 * rescans the polled servers and, spread over {@code safetyRescanPeriod}, every other server
 * too (a cheap stat per file; only changed files are read). {@code POLL} polls everything;
 * {@code OFF} never looks (tests call {@link ServerVms#rescan()}).
 *
 * <p>Threads: the executor (given, or two daemon threads {@code mockcloud-vmstore-N}) delivers
 * events and runs rescans; the scheduler (given, or one daemon {@code mockcloud-vmscan-N})
 * only triggers; the watcher (given, or one daemon thread {@code mockcloud-vmwatch-N}) only
 * marks servers dirty. run-servers gives all three; the store's own ({@link NamedThreads})
 * serve tools and tests. Thread-safe.
 */
public final class VmStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VmStore.class);

  /** How hand edits of VM files are noticed. */
  public enum WatchMode { WATCH, POLL, OFF }

  private final VmStoreContext ctx;
  private final WatchMode mode;
  private final Duration pollPeriod;
  private final Duration safetyRescanPeriod;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final ConcurrentHashMap<String, ServerVms> servers = new ConcurrentHashMap<>();
  private final VmDirWatcher watcher;
  private final ScheduledFuture<?> ticker;
  private Iterator<ServerVms> safetyCursor; // only touched by tick(), which never overlaps itself

  private VmStore(Builder b) throws IOException {
    Executor executor = b.executor;
    if (executor == null) {
      ExecutorService pool = Executors.newFixedThreadPool(2, new NamedThreads("vmstore"));
      owned.add(pool::shutdownNow);
      executor = pool;
    }
    ScheduledExecutorService scheduler = b.scheduler;
    if (scheduler == null && b.mode != WatchMode.OFF) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, new NamedThreads("vmscan"));
      s.setRemoveOnCancelPolicy(true);
      owned.add(s::shutdownNow);
      scheduler = s;
    }
    this.ctx = new VmStoreContext(b.fs, b.clock, executor, scheduler, b.debounce);
    this.mode = b.mode;
    this.pollPeriod = b.pollPeriod;
    this.safetyRescanPeriod = b.safetyRescanPeriod;
    VmDirWatcher w = null;
    if (mode == WatchMode.WATCH && b.watcher != null) {
      w = new VmDirWatcher(b.watcher);
    } else if (mode == WatchMode.WATCH) {
      try {
        w = new VmDirWatcher(new NamedThreads("vmwatch"));
      } catch (IOException e) {
        LOG.warn("no file watching available ({}); polling every VM directory", e.toString());
      }
    }
    this.watcher = w;
    this.ticker = mode == WatchMode.OFF ? null : scheduler.scheduleWithFixedDelay(
        this::tick, pollPeriod.toMillis(), pollPeriod.toMillis(), TimeUnit.MILLISECONDS);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts serving a server: creates {@code <serverDir>/vms} if needed, loads every VM file
   * (unreadable ones are logged and skipped) and starts noticing changes. Opening an open
   * server again returns the same instance.
   *
   * @throws VmException IO if the directory cannot be read
   */
  public ServerVms openServer(String serverUuid, Path serverDir, ServerIdentity identity) {
    if (!serverUuid.equals(identity.serverUuid())) {
      throw new IllegalArgumentException("server uuid " + serverUuid + " does not match sysinfo UUID " + identity.serverUuid());
    }
    ServerVms existing = servers.get(serverUuid);
    if (existing != null) {
      return existing;
    }
    Path vmsDir = serverDir.resolve("vms");
    ServerVms server = new ServerVms(ctx, identity, vmsDir);
    try {
      ctx.fs.createDirectories(vmsDir);
      if (watcher != null) {
        server.setPolled(!watcher.register(server)); // before the load, so no edit falls in between
      } else {
        server.setPolled(mode != WatchMode.OFF); // POLL, or WATCH without a watch service
      }
      server.loadAll();
    } catch (IOException e) {
      if (watcher != null) {
        watcher.unregister(server);
      }
      throw VmException.io("cannot open VMs of server " + serverUuid + " in " + vmsDir + ": " + e.getMessage(), e);
    }
    ServerVms raced = servers.putIfAbsent(serverUuid, server);
    if (raced != null) {
      if (watcher != null) {
        watcher.unregister(server);
        watcher.register(raced);
      }
      return raced;
    }
    return server;
  }

  /** {@link #openServer(String, Path, ServerIdentity)} with the identity read from {@code <serverDir>/sysinfo.json}. */
  public ServerVms openServer(String serverUuid, Path serverDir) {
    ServerIdentity identity;
    try {
      identity = ServerIdentity.fromSysinfoFile(serverDir.resolve("sysinfo.json"));
    } catch (IOException e) {
      throw VmException.io("cannot open VMs of server " + serverUuid + ": " + e.getMessage(), e);
    }
    return openServer(serverUuid, serverDir, identity);
  }

  /** Stops serving a server; its listeners are dropped without notice (as vminfod does). Idempotent. */
  public void closeServer(String serverUuid) {
    ServerVms server = servers.remove(serverUuid);
    if (server != null) {
      if (watcher != null) {
        watcher.unregister(server);
      }
      server.close();
    }
  }

  public Optional<ServerVms> server(String serverUuid) {
    return Optional.ofNullable(servers.get(serverUuid));
  }

  /** The open servers, sorted (vminfod's {@code GET /servers}). */
  public Set<String> serverUuids() {
    return new TreeSet<>(servers.keySet());
  }

  /** The server holding a VM (vminfod's {@code GET /servers/*&#47;vms/<uuid>}); a scan of all servers. */
  public Optional<ServerVms> serverOfVm(String vmUuid) {
    for (ServerVms s : servers.values()) {
      if (s.exists(vmUuid, true)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Periodic: poll the servers that are not watched, and a slice of all for the safety rescan. */
  private void tick() {
    try {
      for (ServerVms s : servers.values()) {
        if (s.polled()) {
          ctx.executor.execute(s::rescan);
        }
      }
      long slices = Math.max(1, safetyRescanPeriod.toMillis() / Math.max(1, pollPeriod.toMillis()));
      int batch = (int) Math.min(Integer.MAX_VALUE, (servers.size() + slices - 1) / slices);
      for (int i = 0; i < batch; i++) {
        if (safetyCursor == null || !safetyCursor.hasNext()) {
          safetyCursor = servers.values().iterator();
          if (!safetyCursor.hasNext()) {
            break;
          }
        }
        ServerVms s = safetyCursor.next();
        if (!s.polled()) {
          ctx.executor.execute(s::rescan);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("VM store rescan tick failed: {}", e.toString(), e);
    }
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debug("closing the VM watcher: {}", e.toString());
      }
    }
    for (String s : serverUuids()) {
      closeServer(s);
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing VM store threads: {}", e.toString());
      }
    }
  }

  /** Settings of a {@link VmStore}; everything has a default. */
  public static final class Builder {
    private VmFileSystem fs = VmFileSystem.SYSTEM;
    private Clock clock = Clock.systemUTC();
    private Executor executor;
    private ScheduledExecutorService scheduler;
    private WatchMode mode = WatchMode.WATCH;
    private Duration debounce = Duration.ofMillis(100);
    private Duration pollPeriod = Duration.ofSeconds(2);
    private Duration safetyRescanPeriod = Duration.ofMinutes(10);
    private DirectoryWatcher watcher;

    private Builder() {}

    /** In WATCH mode, watch the {@code vms/} directories on this shared watcher instead of one of the store's own. */
    public Builder watcher(DirectoryWatcher shared) {
      this.watcher = shared;
      return this;
    }

    public Builder fileSystem(VmFileSystem fs) {
      this.fs = fs;
      return this;
    }

    /** For {@code create_timestamp}, snapshot {@code created_at} and event id prefixes. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Delivers events and runs rescans (may block on disk). Default: 2 daemon threads. */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** Triggers debounced and periodic rescans; never runs I/O. Default: 1 daemon thread. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    public Builder watchMode(WatchMode mode) {
      this.mode = mode;
      return this;
    }

    /** Delay between a watch notification and the re-read (coalesces bursts). Default 100 ms. */
    public Builder debounce(Duration d) {
      this.debounce = d;
      return this;
    }

    /** How often unwatched servers are polled. Default 2 s. */
    public Builder pollPeriod(Duration d) {
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException("poll period must be >= 1ms, got " + d);
      }
      this.pollPeriod = d;
      return this;
    }

    /**
     * Every server is rescanned once per this period even when watched: a backstop for a missed
     * notification, so long (default 10 min) because it stats every VM file of the fleet.
     */
    public Builder safetyRescanPeriod(Duration d) {
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException("safety rescan period must be >= 1ms, got " + d);
      }
      this.safetyRescanPeriod = d;
      return this;
    }

    public VmStore build() {
      try {
        return new VmStore(this);
      } catch (IOException e) {
        throw VmException.io("cannot start the VM store: " + e.getMessage(), e);
      }
    }
  }
}
