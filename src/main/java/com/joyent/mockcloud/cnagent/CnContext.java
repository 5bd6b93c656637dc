package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.behaviour.CnBehaviour;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.CnapiReporting;
import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerVms;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What one CN's cn-agent and its tasks are made with: its directory and VMs, the address it
 * binds, the process settings, shared executors and API views. One per CN, built complete before
 * the agent and never changed; what exists only once the agent runs (its port, its CNAPI
 * reporter) is the {@link CnAgent}'s, reached by tasks through their {@link TaskContext}.
 */
public final class CnContext {
  private final ServerDirectory dir;
  private final String bindIp;
  private final Settings settings;
  private final CnAgentOptions options;
  private final Clock clock;
  private final Timer timer;
  private final TritonApis apis;
  private final Supplier<HttpClient> downloads;
  private final CnapiReporting reporting;
  private final ServerVms vms;
  private final CnBehaviour behaviour;

  /**
   * @param apis where the CN's CNAPI view and its tasks' IMGAPI, SAPI and KBMAPI come from
   * @param downloads the shared client agent_install streams image files to disk with
   * @param reporting what the CNAPI reporter sends with (heartbeats first: its own threads)
   * @param behaviour how the CN's tasks and reports go ({@link CnBehaviour#ideal} without files)
   */
  public CnContext(ServerDirectory dir, ServerVms vms, String bindIp, Settings settings, CnAgentOptions options,
      Clock clock, Timer timer, TritonApis apis, Supplier<HttpClient> downloads,
      CnapiReporting reporting, CnBehaviour behaviour) {
    this.reporting = reporting;
    this.behaviour = behaviour;
    this.dir = dir;
    this.vms = vms;
    this.bindIp = bindIp;
    this.settings = settings;
    this.options = options;
    this.clock = clock;
    this.timer = timer;
    this.apis = apis;
    this.downloads = downloads;
  }

  public UUID serverUuid() {
    return dir.uuid();
  }

  public ServerDirectory dir() {
    return dir;
  }

  public String bindIp() {
    return bindIp;
  }

  public Settings settings() {
    return settings;
  }

  public CnAgentOptions options() {
    return options;
  }

  public Clock clock() {
    return clock;
  }

  /** Where the CN's tasks wait (timeouts, sleeps, the provision lock poll) and its task logs age. */
  public Timer timer() {
    return timer;
  }

  /** The CN's Triton API views (and its tasks'). */
  public TritonApis apis() {
    return apis;
  }

  /** The JDK client for image files (made on first use; fleet/DaemonThreads). */
  HttpClient downloads() {
    return downloads.get();
  }

  private volatile Runnable agentsChanged = () -> {};

  /** Run after agent_install or agents_uninstall changed {@code agents/}: the fleet starts or stops agents. */
  public void onAgentsChanged(Runnable r) {
    this.agentsChanged = r;
  }

  void agentsChanged() {
    agentsChanged.run();
  }

  /** What this CN does unlike an ideal one (behaviour files; ideal without them). */
  public CnBehaviour behaviour() {
    return behaviour;
  }

  /** The CNAPI reporter's client, gate, timers and file thread. */
  public CnapiReporting reporting() {
    return reporting;
  }

  /** This CN's VMs (the VM store's view of {@code vms/}). */
  public ServerVms vms() {
    return vms;
  }

  /**
   * sysinfo.json as it is on disk now, plus {@code CN Agent Port} and {@code CN Agent IP}
   * (appended, or in place where the file already has them).
   *
   * @param port where this CN's cn-agent listens
   */
  public Map<String, Object> sysinfoListeningOn(int port) throws IOException {
    Map<String, Object> s = new LinkedHashMap<>(dir.readSysinfo());
    s.put("CN Agent Port", port);
    s.put("CN Agent IP", bindIp);
    return s;
  }
}
