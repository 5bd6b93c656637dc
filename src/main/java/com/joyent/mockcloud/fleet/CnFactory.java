package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.configagent.ConfigAgent;
import com.joyent.mockcloud.configagent.ConfigAgentOptions;
import com.joyent.mockcloud.firewaller.Firewaller;
import com.joyent.mockcloud.firewaller.FirewallerFeed;
import com.joyent.mockcloud.firewaller.FirewallerOptions;
import com.joyent.mockcloud.firewaller.FwState;

import com.joyent.mockcloud.behaviour.Behaviour;
import com.joyent.mockcloud.behaviour.Behaviour.Agent;
import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.behaviour.FleetBehaviour;
import com.joyent.mockcloud.cnagent.CnAgent;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.cnagent.CnContext;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.http.HttpListeners;
import com.joyent.mockcloud.io.DirectoryWatcher;
import com.joyent.mockcloud.netagent.NetAgent;
import com.joyent.mockcloud.netagent.NetAgentOptions;
import com.joyent.mockcloud.netagent.SharedChangefeeds;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.vm.ServerIdentity;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmStore;
import com.joyent.mockcloud.vmagent.VmAgent;
import com.joyent.mockcloud.vmagent.VmAgentOptions;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Builds and starts one mock CN from its directory and what every CN shares: the executors and
 * gates of {@link DaemonThreads}, its Triton API views ({@link TritonApis}), the VM store, the
 * listener ports, the sysinfo watches. The one place a CN is wired; {@link Fleet} decides which
 * CNs run and keeps them. Thread-safe: CNs are started in parallel on the task pool.
 */
final class CnFactory {
  private static final Logger LOG = LoggerFactory.getLogger(CnFactory.class);
  /** How many taken ports a CN skips before giving up (a port base inside a busy range). */
  private static final int MAX_PORT_ATTEMPTS = 100;

  private final Settings settings;
  private final CnAgentOptions options;
  private final ConfigAgentOptions configAgentOptions;
  private final DaemonThreads threads;
  private final TritonApis apis;
  private final VmStore vmStore;
  private final Clock clock;
  private final PortAllocator ports;
  private final CnFileWatches fileWatches;
  private final FleetBehaviour behaviours;
  /** One for every CN's context (a method reference made per CN would be an object per CN). */
  private final Supplier<HttpClient> downloads;
  private final AtomicBoolean warnedNoNetAgent = new AtomicBoolean();
  private final AtomicBoolean warnedNoConfigAgent = new AtomicBoolean();
  private volatile FirewallerOptions firewallerOptions = FirewallerOptions.defaults();
  private volatile FirewallerFeed firewallerFeed; // null: no FWAPI
  private volatile java.util.function.Consumer<java.util.UUID> agentsChanged = u -> {};

  CnFactory(Settings settings, CnAgentOptions options, ConfigAgentOptions configAgentOptions, DaemonThreads threads,
      TritonApis apis, VmStore vmStore, Clock clock, PortAllocator ports, CnFileWatches fileWatches,
      FleetBehaviour behaviours) {
    this.configAgentOptions = configAgentOptions;
    this.behaviours = behaviours;
    this.settings = settings;
    this.options = options;
    this.threads = threads;
    this.apis = apis;
    this.vmStore = vmStore;
    this.clock = clock;
    this.ports = ports;
    this.fileWatches = fileWatches;
    this.downloads = threads::downloads;
  }

  /** How firewallers hear FWAPI (the fleet sets it at start, once it knows how many CNs); null: no firewallers. */
  void firewallerFeed(FirewallerFeed feed) {
    this.firewallerFeed = feed;
  }

  void firewallerOptions(FirewallerOptions o) {
    this.firewallerOptions = o;
  }

  /** Told when an agent_install or agents_uninstall changed a CN's agents. */
  void onAgentsChanged(java.util.function.Consumer<java.util.UUID> listener) {
    this.agentsChanged = listener;
  }

  /**
   * Opens the CN's VMs, builds its agents and starts them: its directory watched, its cn-agent
   * listening and registering, its vm-agent and (with NAPI configured) its net-agent running.
   * On failure nothing of it is left running and its VMs are closed.
   *
   * @param net the net-agents' options, as the fleet resolved them
   * @param shared the shared changefeed (mode shared), else null
   * @param how a first start, or a boot on the port the CN had ({@link Start})
   */
  MockCn start(ServerDirectory d, NetAgentOptions net, SharedChangefeeds shared, Start how) throws IOException {
    MDC.put("server_uuid", d.uuid().toString());
    DirectoryWatcher.Watch sysinfoWatch = null;
    try {
      Map<String, Object> sysinfo = d.readSysinfo();
      if (!d.uuid().toString().equals(sysinfo.get("UUID"))) {
        throw new IOException("sysinfo UUID " + sysinfo.get("UUID") + " does not match the directory name");
      }
      if (how.boots()) {
        sysinfo.put("Boot Time", Long.toString(nextBootTime(sysinfo.get("Boot Time"), clock.millis() / 1000)));
        d.writeSysinfo(sysinfo, 2); // the registration that follows reads it from disk
      }
      String uuid = d.uuid().toString();
      ServerVms vms = vmStore.openServer(uuid, d.dir(), ServerIdentity.fromSysinfo(sysinfo));
      if (how.boots()) {
        vms.boot(); // before vm-agent starts, so VMAPI learns the states after boot from its first sync
      }
      CnBehaviour behaviour = behaviours.open(d.uuid(), d.dir());
      CnContext ctx = new CnContext(d, vms, settings.bindIp(), settings, options, clock, threads.timer(),
          apis, downloads, threads.cnapiReporting(), behaviour);
      ctx.onAgentsChanged(() -> agentsChanged.accept(d.uuid()));
      CnAgent agent = new CnAgent(ctx, threads.taskPool(), threads.taskAdmission());
      VmAgent vmAgent = newVmAgent(uuid, vms);
      NetAgent netAgent = newNetAgent(d, vms, net, shared);
      sysinfoWatch = fileWatches.watch(d, agent);
      startListening(agent, how.port());
      // A paused agent is made stopped, never started: resuming makes a new one (applyPauses).
      if (behaviour.current().isPaused(Agent.VM_AGENT)) {
        vmAgent.stop();
      } else {
        vmAgent.start();
      }
      if (netAgent == null) {
        warnNoNetAgentOnce();
      } else if (behaviour.current().isPaused(Agent.NET_AGENT)) {
        netAgent.stop();
      } else {
        netAgent.start();
      }
      ConfigAgent configAgent = newConfigAgent(d);
      if (configAgent == null) {
        warnNoConfigAgentOnce();
      } else if (behaviour.current().isPaused(Agent.CONFIG_AGENT) || !installed(d, "config-agent")) {
        configAgent.stop();
      } else {
        configAgent.start();
      }
      Firewaller firewaller = newFirewaller(d, vms);
      if (firewaller != null) {
        if (behaviour.current().isPaused(Agent.FIREWALLER) || !installed(d, "firewaller")) {
          firewaller.stop();
        } else {
          firewaller.start(firewallerFeed);
        }
      }
      return new MockCn(d.uuid(), vms, agent, vmAgent, netAgent, configAgent, firewaller, sysinfoWatch);
    } catch (IOException | RuntimeException e) {
      if (sysinfoWatch != null) {
        sysinfoWatch.cancel();
      }
      fileWatches.forget(d.uuid());
      behaviours.close(d.uuid());
      vmStore.closeServer(d.uuid().toString());
      throw e;
    } finally {
      MDC.remove("server_uuid");
    }
  }

  /**
   * A booted CN's {@code Boot Time} (epoch seconds, as sysinfo writes it): now, but strictly later
   * than the last one, so CNAPI always sees a new boot even twice in a second.
   */
  static long nextBootTime(Object before, long nowSeconds) {
    long last;
    try {
      last = before == null ? 0 : Long.parseLong(before.toString().trim());
    } catch (NumberFormatException e) {
      last = 0;
    }
    return Math.max(nowSeconds, last + 1);
  }

  private void warnNoConfigAgentOnce() {
    if (warnedNoConfigAgent.compareAndSet(false, true)) {
      LOG.warn("no SAPI URL: config-agents are not running, no agent config is fetched from SAPI");
    }
  }

  /** The CN's config-agent, or null without SAPI. Its random start spreads the fleet's polls. */
  private ConfigAgent newConfigAgent(ServerDirectory d) {
    if (settings.sapiUrl() == null) {
      return null;
    }
    String uuid = d.uuid().toString();
    return new ConfigAgent(d, apis.sapi(configAgentOptions.userAgent(uuid), configAgentOptions.requestTimeout()),
        threads.timer(), threads.taskPool(), configAgentOptions, new java.util.Random(d.uuid().getLeastSignificantBits()));
  }

  /** Whether the CN has the agent installed ({@code agents/<name>/}): agents_uninstall stops it, agent_install starts it. */
  private static boolean installed(ServerDirectory d, String agent) {
    return java.nio.file.Files.isDirectory(d.agentsDir().resolve(agent));
  }

  /** The CN's firewaller, or null without FWAPI. */
  private Firewaller newFirewaller(ServerDirectory d, ServerVms vms) {
    if (firewallerFeed == null) {
      return null;
    }
    String uuid = d.uuid().toString();
    return new Firewaller(uuid, vms, new FwState(d.dir()),
        apis.fwapi(firewallerOptions.userAgent(uuid), firewallerOptions.requestTimeout()),
        apis.vmapiClient(firewallerOptions.userAgent(uuid), firewallerOptions.requestTimeout()),
        threads.timer(), threads.taskPool(), firewallerOptions, new java.util.Random(~d.uuid().getLeastSignificantBits()));
  }

  private void warnNoNetAgentOnce() {
    if (warnedNoNetAgent.compareAndSet(false, true)) {
      LOG.warn("no NAPI URL or UFDS admin uuid: net-agents are not running, NAPI will not learn of CN and VM NICs");
    }
  }

  private VmAgent newVmAgent(String uuid, ServerVms vms) {
    VmAgentOptions vmOptions = VmAgentOptions.defaults();
    return new VmAgent(uuid, vms, apis.vmapi(vmOptions.userAgent(uuid), vmOptions.requestTimeout()),
        threads.timer(), vmOptions);
  }

  /** The CN's net-agent, or null without NAPI (or the admin uuid its NICs are owned by). */
  private NetAgent newNetAgent(ServerDirectory d, ServerVms vms, NetAgentOptions net, SharedChangefeeds shared) {
    String uuid = d.uuid().toString();
    return settings.napiUrl() == null || settings.adminUuid() == null ? null
        : new NetAgent(d, vms, settings, threads.netAgentLoop(), threads.taskPool(),
            apis.napi(net.userAgent(uuid), net.requestTimeout()), net, shared);
  }

  /**
   * The CN's vm-agent, net-agent and config-agent as its behaviour's pauses say: a paused one is stopped (VMAPI
   * and NAPI then drift from the CN); a resumed one is a new agent whose start-up syncs everything,
   * as a real agent's does after an outage. Returns the CN as it is now, the same one if nothing changed.
   */
  MockCn applyPauses(MockCn cn, Behaviour b, NetAgentOptions net, SharedChangefeeds shared) {
    VmAgent vm = cn.vmAgent();
    if (b.isPaused(Agent.VM_AGENT) && !vm.isStopped()) {
      vm.stop();
      LOG.info("vm-agent of {} paused", cn.uuid());
    } else if (!b.isPaused(Agent.VM_AGENT) && vm.isStopped()) {
      vm = newVmAgent(cn.uuid().toString(), cn.vms());
      vm.start();
      LOG.info("vm-agent of {} resumed", cn.uuid());
    }
    NetAgent netAgent = cn.netAgent();
    if (netAgent != null && b.isPaused(Agent.NET_AGENT) && !netAgent.isStopped()) {
      netAgent.stop();
      LOG.info("net-agent of {} paused", cn.uuid());
    } else if (netAgent != null && !b.isPaused(Agent.NET_AGENT) && netAgent.isStopped()) {
      netAgent = newNetAgent(cn.cnAgent().context().dir(), cn.vms(), net, shared);
      netAgent.start();
      LOG.info("net-agent of {} resumed", cn.uuid());
    }
    ConfigAgent configAgent = cn.configAgent();
    ServerDirectory dir = cn.cnAgent().context().dir();
    boolean configRuns = !b.isPaused(Agent.CONFIG_AGENT) && installed(dir, "config-agent");
    if (configAgent != null && !configRuns && !configAgent.isStopped()) {
      configAgent.stop();
      LOG.info("config-agent of {} {}", cn.uuid(), b.isPaused(Agent.CONFIG_AGENT) ? "paused" : "uninstalled");
    } else if (configAgent != null && configRuns && configAgent.isStopped()) {
      // As the real agent's start method, which polls once before its daemon's first wait.
      configAgent = newConfigAgent(dir);
      configAgent.start();
      configAgent.pollNow();
      LOG.info("config-agent of {} running again", cn.uuid());
    }
    Firewaller firewaller = cn.firewaller();
    boolean firewallerRuns = !b.isPaused(Agent.FIREWALLER) && installed(dir, "firewaller");
    if (firewaller != null && !firewallerRuns && !firewaller.isStopped()) {
      firewaller.stop();
      LOG.info("firewaller of {} {}", cn.uuid(), b.isPaused(Agent.FIREWALLER) ? "paused" : "uninstalled");
    } else if (firewaller != null && firewallerRuns && firewaller.isStopped()) {
      firewaller = newFirewaller(dir, cn.vms()); // a new agent: it syncs at start, as a restarted one does
      firewaller.start(firewallerFeed);
      LOG.info("firewaller of {} running again", cn.uuid());
    }
    return vm == cn.vmAgent() && netAgent == cn.netAgent() && configAgent == cn.configAgent()
        && firewaller == cn.firewaller() ? cn
        : new MockCn(cn.uuid(), cn.vms(), cn.cnAgent(), vm, netAgent, configAgent, firewaller, cn.sysinfoWatch());
  }

  /**
   * A restarted cn-agent (server-action restart-agent): a new agent with an empty task history
   * on the port the old one had, registering again; the VMs, vm-agent and net-agent go on.
   */
  MockCn restartCnAgent(MockCn old) throws IOException {
    CnContext ctx = old.cnAgent().context();
    int port = old.cnAgent().port();
    old.stopCnAgent();
    CnAgent agent = new CnAgent(ctx, threads.taskPool(), threads.taskAdmission());
    DirectoryWatcher.Watch watch = fileWatches.watch(ctx.dir(), agent);
    try {
      startListening(agent, port);
    } catch (IOException | RuntimeException e) {
      if (watch != null) {
        watch.cancel();
      }
      throw e;
    }
    return new MockCn(old.uuid(), old.vms(), agent, old.vmAgent(), old.netAgent(), old.configAgent(),
        old.firewaller(), watch);
  }

  /**
   * Opens the CN's listener: on {@code port} if one is given (a CN coming back keeps its port,
   * as CNAPI knows it), else, or when that one was taken meanwhile, on the next free port
   * (skipping ports something else holds).
   */
  private void startListening(CnAgent agent, int port) throws IOException {
    if (port > 0) {
      try {
        agent.start(threads.listeners(), port);
        return;
      } catch (HttpListeners.PortTakenException e) {
        LOG.warn("port {} of server {} was taken while it was down; it listens on another", port,
            agent.serverUuid());
      }
    }
    for (int attempt = 0; ; attempt++) {
      int next = ports.next();
      try {
        agent.start(threads.listeners(), next);
        return;
      } catch (HttpListeners.PortTakenException e) {
        if (ports.osChosen() || attempt >= MAX_PORT_ATTEMPTS) {
          throw e;
        }
        LOG.debug("port {} is taken, trying the next one", next);
      }
    }
  }

  /**
   * How a CN starts: the first time (a free port, VMs as on disk), or booting again after a
   * power-off or reboot ({@link #boot}: on the port it had, VMs as after a boot).
   */
  record Start(boolean boots, int port) {
    static final Start FIRST = new Start(false, 0);

    static Start boot(int port) {
      return new Start(true, port);
    }
  }
}
