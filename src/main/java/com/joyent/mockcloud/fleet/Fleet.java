package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.configagent.ConfigAgentOptions;
import com.joyent.mockcloud.firewaller.FirewallerFeed;

import com.joyent.mockcloud.behaviour.Behaviour;
import com.joyent.mockcloud.behaviour.Behaviour.Agent;
import com.joyent.mockcloud.behaviour.BehaviourParser;
import com.joyent.mockcloud.behaviour.FleetBehaviour;
import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.netagent.ChangefeedMode;
import com.joyent.mockcloud.netagent.NetAgentOptions;
import com.joyent.mockcloud.netagent.SharedChangefeeds;
import com.joyent.mockcloud.scenario.ScenarioParser;
import com.joyent.mockcloud.scenario.Scenarios;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.vm.VmStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mock CN of this process, started and stopped as server directories come and go: the
 * map of running CNs and their lifecycle. Deciding is elsewhere, each part tested alone:
 * {@link FleetScan} (which CNs a listing starts and stops), {@link RescanSchedule} (when to
 * list), {@link FdBudget#resolve} (the changefeed mode), {@link CnFileWatches} (noticing
 * sysinfo.json changes); building a CN is {@link CnFactory}'s.
 *
 * <p>At {@link #start()} each valid directory under {@code <root>/servers} gets a
 * {@link MockCn}; directories are loaded in parallel on the task pool. Afterwards the root
 * is rescanned every {@link #RESCAN} (polling, which works on every filesystem and costs one
 * directory listing). Everything periodic is one job on the shared scheduler that hands disk
 * work to the task pool.
 */
public final class Fleet implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
  static final Duration RESCAN = Duration.ofSeconds(2);
  /** How long a clean stop waits for running tasks. */
  static final Duration DRAIN = Duration.ofSeconds(30);

  private final Settings settings;
  private final CnAgentOptions options;
  private final DaemonThreads threads;
  /** Every CN's Triton API views (CNAPI, VMAPI, NAPI, the tasks' APIs) come from here. */
  private final TritonApis apis;
  private final CnFactory factory;
  private final VmStore vmStore;
  private final ServerRoot root;
  private final ConcurrentHashMap<UUID, MockCn> running = new ConcurrentHashMap<>();
  private final Set<UUID> starting = ConcurrentHashMap.newKeySet();
  /** CNs a server action powered off → the port each listened on; rescans do not start them. */
  private final ConcurrentHashMap<UUID, Integer> poweredOff = new ConcurrentHashMap<>();
  private final CnFileWatches fileWatches;
  private final FleetBehaviour behaviours;
  private final List<ScheduledFuture<?>> jobs = new ArrayList<>();
  private final ServerActions actions;
  private final Scenarios scenarios;
  private volatile boolean closed;
  private volatile NetAgentOptions netOptions = NetAgentOptions.defaults();
  private volatile com.joyent.mockcloud.firewaller.FirewallerFeed firewallerFeed;
  /** The net-agents' changefeed mode asked for (run-servers --changefeed); after start(), the one in effect. */
  private volatile ChangefeedMode changefeedMode = ChangefeedMode.AUTO;
  /** Mode shared: the process's changefeed socket (one per NAPI); null otherwise. */
  private volatile SharedChangefeeds sharedChangefeeds;
  /** CNs booting through DHCP (--admin-ip-source dhcp), made at start(); null: admin IPs from NAPI. */
  private volatile DhcpBoots dhcp;
  private volatile com.joyent.mockcloud.booter.DhcpTiming dhcpTiming = com.joyent.mockcloud.booter.DhcpTiming.standard();
  /** When the servers directory must be listed again (guarded by this; see rescan()). */
  private final RescanSchedule schedule = new RescanSchedule();

  Fleet(Settings settings, CnAgentOptions options, ConfigAgentOptions configAgent, DaemonThreads threads,
      VmStore vmStore, Clock clock, PortAllocator ports) {
    this.settings = settings;
    this.options = options;
    this.threads = threads;
    this.apis = threads.tritonApis(settings, NetAgentOptions.defaults().maxConcurrentRequests());
    this.vmStore = vmStore;
    this.root = new ServerRoot(settings.root());
    this.behaviours = new FleetBehaviour(settings.root(), new BehaviourParser(CnAgent::isTask), this::behaviourApplied);
    this.fileWatches = new CnFileWatches(threads.watcher(), threads.taskPool(), behaviours);
    this.factory = new CnFactory(settings, options, configAgent, threads, apis, vmStore, clock, ports, fileWatches,
        behaviours);
    factory.onAgentsChanged(uuid -> {
      MockCn cn = running.get(uuid);
      if (cn != null) {
        behaviourApplied(uuid, cn.cnAgent().context().behaviour().current());
      }
    });
    this.actions = new ServerActions(this, vmStore, threads.timer(), threads.taskPool());
    this.scenarios = new Scenarios(new ScenarioParser(CnAgent::isTask, HardwareProfile::isId),
        new FleetScenarioTarget(this), threads.timer(), threads.taskPool());
  }

  /** The DHCP clients' clocks (RFC 2131's unless a test shrinks them); takes effect at {@link #start}. */
  public void dhcpTiming(com.joyent.mockcloud.booter.DhcpTiming timing) {
    this.dhcpTiming = Objects.requireNonNull(timing);
  }

  /** The DHCP boots (--admin-ip-source dhcp) once started, else null. */
  public com.joyent.mockcloud.booter.DhcpClient dhcpClient(UUID uuid) {
    DhcpBoots b = dhcp;
    return b == null ? null : b.client(uuid);
  }

  /** The DHCP clients' counters, or null when CNs take their admin IPs from NAPI. */
  public com.joyent.mockcloud.booter.DhcpClients.Stats dhcpStats() {
    DhcpBoots b = dhcp;
    return b == null ? null : b.clients().stats();
  }

  /** The scenarios run against this fleet (the control API's). */
  public Scenarios scenarios() {
    return scenarios;
  }

  /**
   * A CN's behaviour changed: its listener and paused agents follow (the rest of a behaviour its
   * agents read as they go). Before the CN runs there is nothing to do: it starts as it says.
   */
  private synchronized void behaviourApplied(UUID uuid, Behaviour b) {
    MockCn cn = running.get(uuid);
    if (cn == null) {
      return;
    }
    cn.cnAgent().applyListenerMode();
    MockCn now = factory.applyPauses(cn, b, netOptions, sharedChangefeeds);
    if (now != cn) {
      running.put(uuid, now);
    }
  }

  /** Whether the CN's behaviour pauses its cmon-agent (the shared cmon server then leaves it unanswered). */
  public boolean isCmonAgentPaused(UUID uuid) {
    MockCn cn = running.get(uuid);
    return cn != null && cn.cnAgent().context().behaviour().current().isPaused(Agent.CMON_AGENT);
  }

  /** The CN's firewaller, or null when the CN is not running here or has none running. */
  public com.joyent.mockcloud.firewaller.Firewaller firewallerOf(UUID uuid) {
    MockCn cn = running.get(uuid);
    return cn == null ? null : cn.firewaller();
  }

  /** The fleet's behaviour files, for the control API. */
  public FleetBehaviour behaviours() {
    return behaviours;
  }

  /** Reboot, power-off, power-on and restart-agent of this fleet's CNs. */
  public ServerActions actions() {
    return actions;
  }

  /**
   * How the net-agents listen to NAPI's changefeed (run-servers {@code --changefeed}); call before
   * {@link #start()}. Default {@link ChangefeedMode#AUTO}: a socket per CN while the open-file
   * limit has room for it ({@link FdBudget}), else one shared socket.
   */
  public void setFirewallerOptions(com.joyent.mockcloud.firewaller.FirewallerOptions o) {
    factory.firewallerOptions(o);
  }

  public void setChangefeedMode(ChangefeedMode mode) {
    this.changefeedMode = Objects.requireNonNull(mode, "mode");
  }

  /** The changefeed mode: as asked before {@link #start()}, as resolved (never auto) after. */
  public ChangefeedMode changefeedMode() {
    return changefeedMode;
  }

  /** Mode shared: the process's changefeed subscriptions; null in the other modes. */
  public SharedChangefeeds sharedChangefeeds() {
    return sharedChangefeeds;
  }

  /** Starts every CN found (in parallel) and the periodic rescans; returns when all have started. */
  public void start() throws IOException {
    if (!Files.isDirectory(root.serversDir())) {
      throw new IOException("no servers directory " + root.serversDir() + " (create servers with create-server)");
    }
    List<ServerDirectory> found = root.list();
    // Spread net-agent start-ups over ~12 ms per CN (2 minutes at most): 10,000 CNs with 100,000
    // VM NICs must not all ask NAPI at once (and starve registration and heartbeats of CPU),
    // while a handful in the sandbox start at once.
    NetAgentOptions net = NetAgentOptions.defaults().withStartSpread(Duration.ofMillis(Math.min(120_000, 12L * found.size())));
    changefeedMode = FdBudget.resolve(changefeedMode, found.size(), FdBudget.limit(),
        settings.napiUrl() != null && settings.adminUuid() != null);
    net = net.withChangefeed(changefeedMode);
    if (net.changefeed() == ChangefeedMode.SHARED) {
      sharedChangefeeds = new SharedChangefeeds(settings.root(), threads.netAgentLoop(), threads.taskPool(), apis,
          net);
    }
    netOptions = net;
    if (settings.fwapiUrl() != null && settings.vmapiUrl() != null) {
      firewallerFeed = new FirewallerFeed(threads.fastLoop(), settings.fwapiUrl().getHost(), settings.fwapiFastPort(),
          FdBudget.firewallerFeed(found.size(), changefeedMode, FdBudget.limit()));
      factory.firewallerFeed(firewallerFeed);
    }
    if (settings.dhcp().enabled()) {
      com.joyent.mockcloud.config.DhcpSettings ds = settings.dhcp();
      com.joyent.mockcloud.booter.DhcpClients clients = com.joyent.mockcloud.booter.DhcpClients.open(
          threads.dhcpLoop(), ds.bind(), ds.server(), dhcpTiming.withRate(ds.rate()), threads.taskPool());
      dhcp = new DhcpBoots(clients, apis.cnapi("mockcloud booter-client"));
      LOG.info("{} CNs boot through DHCP: DISCOVERs to {} from {}, at most {} messages a second", found.size(),
          ds.server(), clients.localAddress(), ds.rate());
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (ServerDirectory d : found) {
      all.add(startAsync(d));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    LOG.info("Started all servers ({})", running.size());
    jobs.add(threads.scheduler().scheduleWithFixedDelay(() -> threads.taskPool().execute(this::rescan),
        RESCAN.toMillis(), RESCAN.toMillis(), TimeUnit.MILLISECONDS));
    long poll = options.sysinfoPollInterval().toMillis();
    jobs.add(threads.scheduler().scheduleWithFixedDelay(() -> threads.taskPool().execute(() -> fileWatches.poll(running)),
        poll, poll, TimeUnit.MILLISECONDS));
  }

  public Map<UUID, MockCn> running() {
    return running;
  }

  /**
   * Starts the CNs that appeared and stops those whose directory went away ({@link FleetScan}),
   * listing {@code servers/} only when {@link RescanSchedule} says it may have changed.
   */
  synchronized void rescan() {
    if (closed) {
      return;
    }
    FileTime mtime = serversDirMtime();
    if (!schedule.shouldList(mtime)) {
      return;
    }
    long startedMillis = System.currentTimeMillis();
    try {
      Set<UUID> leaveAlone = new HashSet<>(starting);
      leaveAlone.addAll(poweredOff.keySet());
      FleetScan scan = FleetScan.of(root.entries(), running.keySet(), leaveAlone, ServerRoot::validServer);
      for (ServerDirectory d : scan.toStart()) {
        LOG.info("server {} appeared, starting it", d.uuid());
        startAsync(d);
      }
      for (UUID u : scan.toStop()) {
        LOG.info("server {} went away, stopping it", u);
        stop(u);
      }
      schedule.listed(mtime, startedMillis, scan.incomplete());
    } catch (IOException | RuntimeException e) {
      schedule.listAgain();
      LOG.warn("rescan of {} failed: {}", root.serversDir(), e.toString());
    }
  }

  /** Whether a start of {@code uuid} is under way (it ends running, or failed and is retried at a rescan). */
  boolean isStarting(UUID uuid) {
    return starting.contains(uuid);
  }

  /** A CN failed to start: list again at the next rescan (a fix inside its directory does not change servers/). */
  private synchronized void retryStartsSoon() {
    schedule.listAgain();
  }

  /** The servers directory's mtime, or null if it cannot be read (missing: the listing then finds nothing). */
  private FileTime serversDirMtime() {
    try {
      return Files.getLastModifiedTime(root.serversDir());
    } catch (IOException e) {
      return null;
    }
  }

  private CompletableFuture<Void> startAsync(ServerDirectory d) {
    starting.add(d.uuid());
    DhcpBoots boots = dhcp;
    if (boots != null) {
      // The CN starts when its OS holds a lease; start() does not wait for a booter that may be silent.
      try {
        boots.boot(d, () -> {
          try {
            startNow(d);
          } catch (IOException | RuntimeException e) {
            boots.stop(d.uuid());
            LOG.warn("failed to start server {}: {}", d.uuid(), e.toString());
            retryStartsSoon();
            throw e;
          } finally {
            starting.remove(d.uuid());
          }
        });
      } catch (IOException | RuntimeException e) {
        starting.remove(d.uuid());
        LOG.warn("failed to boot server {}: {}", d.uuid(), e.toString());
        retryStartsSoon();
      }
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> {
      try {
        startNow(d);
      } catch (Exception e) {
        LOG.warn("failed to start server {}: {}", d.uuid(), e.toString());
        retryStartsSoon();
      } finally {
        starting.remove(d.uuid());
      }
    }, threads.taskPool());
  }

  private void startNow(ServerDirectory d) throws IOException {
    if (closed) {
      return;
    }
    running.put(d.uuid(), factory.start(d, netOptions, sharedChangefeeds, CnFactory.Start.FIRST));
  }

  /**
   * Powers a running CN off (server-action power-off, and the first half of a reboot): it
   * stops as when its directory goes, but the directory stays and rescans leave it off; its
   * port is kept for {@link #powerOn}. False when it is not running.
   */
  synchronized boolean powerOff(UUID uuid) {
    MockCn cn = running.get(uuid);
    if (cn == null && isDhcpBooting(uuid)) {
      // Still waiting for its lease (a booter that does not answer): it stops asking and stays off.
      dhcp.stop(uuid);
      starting.remove(uuid);
      poweredOff.putIfAbsent(uuid, 0);
      return true;
    }
    if (cn == null) {
      return false;
    }
    poweredOff.put(uuid, cn.cnAgent().port());
    stop(uuid, true);
    return true;
  }

  /** The directory of the CN {@code uuid} under this fleet's root (it need not exist). */
  ServerDirectory directoryOf(UUID uuid) {
    return new ServerDirectory(uuid, root.serversDir().resolve(uuid.toString()));
  }

  /** Whether {@code uuid} is booting through DHCP: its client asks for a lease and the CN has not started yet. */
  public boolean isDhcpBooting(UUID uuid) {
    DhcpBoots b = dhcp;
    return b != null && b.client(uuid) != null && !running.containsKey(uuid);
  }

  /** Whether {@code uuid} is powered off by a server action. */
  public boolean isPoweredOff(UUID uuid) {
    return poweredOff.containsKey(uuid);
  }

  /**
   * Boots a powered-off CN: a later {@code Boot Time} in its sysinfo.json, its VMs as after a
   * boot ({@link com.joyent.mockcloud.vm.ServerVms#boot}), its agents started and listening on the
   * port it had, registering anew. False when it is not powered off. If the start fails, the
   * CN stays off.
   */
  synchronized boolean powerOn(UUID uuid) throws IOException {
    Integer port = poweredOff.get(uuid);
    if (port == null || closed) {
      return false;
    }
    ServerDirectory d = directoryOf(uuid);
    if (!Files.isRegularFile(d.sysinfoFile())) {
      poweredOff.remove(uuid);
      throw new IOException("server " + uuid + " has no directory any more");
    }
    DhcpBoots boots = dhcp;
    if (boots != null) {
      // Booting through DHCP: it stays off (rescans leave it alone) until its OS holds a lease.
      boots.boot(d, () -> {
        synchronized (this) {
          if (!closed && poweredOff.containsKey(uuid)) {
            running.put(uuid, factory.start(d, netOptions, sharedChangefeeds, CnFactory.Start.boot(port)));
            poweredOff.remove(uuid);
          }
        }
      });
      return true;
    }
    running.put(uuid, factory.start(d, netOptions, sharedChangefeeds, CnFactory.Start.boot(port)));
    poweredOff.remove(uuid);
    return true;
  }

  /** Restarts a running CN's cn-agent alone (server-action restart-agent). False when it is not running. */
  synchronized boolean restartCnAgent(UUID uuid) throws IOException {
    MockCn cn = running.get(uuid);
    if (cn == null) {
      return false;
    }
    try {
      running.put(uuid, factory.restartCnAgent(cn));
    } catch (IOException | RuntimeException e) {
      stop(uuid); // its cn-agent is gone: stop the rest, and the next rescan starts it afresh
      schedule.listAgain();
      throw e;
    }
    return true;
  }

  public void stop(UUID uuid) {
    stop(uuid, false);
  }

  /** @param powerLoss as a CN losing power: its connections are dropped, answers in progress too */
  private void stop(UUID uuid, boolean powerLoss) {
    DhcpBoots boots = dhcp;
    if (boots != null) {
      boots.stop(uuid);
    }
    MockCn cn = running.remove(uuid);
    if (cn != null) {
      cn.stop(powerLoss); // cancels its watch first, so no gone() adds it back after forget()
      vmStore.closeServer(uuid.toString());
    }
    fileWatches.forget(uuid);
    behaviours.close(uuid);
  }

  /**
   * Stops every CN: heartbeats and reports end at once and new tasks are refused; running tasks
   * get up to {@link #DRAIN} to finish and answer; then the listeners close.
   */
  @Override
  public void close() {
    closed = true;
    if (dhcp != null) {
      dhcp.close();
    }
    if (firewallerFeed != null) {
      firewallerFeed.close();
    }
    scenarios.stopAll();
    jobs.forEach(j -> j.cancel(false));
    CompletableFuture<?>[] drains = running.values().stream().map(cn -> cn.cnAgent().drain())
        .toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(drains).get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // some tasks still run: counted and logged below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = running.values().stream().mapToInt(cn -> cn.cnAgent().activeTasks()).sum();
    if (left > 0) {
      LOG.warn("stopping with {} task(s) still running after {} s", left, DRAIN.toSeconds());
    }
    for (UUID u : List.copyOf(running.keySet())) {
      stop(u);
    }
    SharedChangefeeds shared = sharedChangefeeds;
    if (shared != null) {
      shared.close();
    }
  }
}
