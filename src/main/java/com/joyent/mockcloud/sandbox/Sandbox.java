package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.HttpListeners;

/**
 * An embedded, in-memory Triton for mock CNs and an operator: NAPI, CNAPI, VMAPI, SAPI and
 * FWAPI stand-ins in this JVM, each on its own loopback listener with an OS-chosen port. In the
 * spirit of mockwebserver: start it, point clients at the URLs, and read what it received
 * through the stores. See {@code docs/sandbox.md} for every endpoint and its errors.
 *
 * <pre>{@code
 * try (Sandbox sb = Sandbox.start(SandboxOptions.defaults())) {
 *   sb.napiUrl(); sb.cnapiUrl(); sb.vmapiUrl();          // http://127.0.0.1:<port>
 *   sb.adminUuid(); sb.datacenter();
 *   sb.napi().nics().find("00:10:fe:00:00:01");          // NIC as NAPI renders it, or null
 *   sb.cnapi().server(uuid); sb.cnapi().servers().statusOf(uuid);
 *   sb.cnapi().tasks().get(taskId);
 *   sb.vmapi().vms().get(vmUuid);
 * }
 * }</pre>
 *
 * <p>Threads: one XNIO worker ({@code mockcloud-sandbox} I/O threads, count from the options)
 * serves CNAPI and VMAPI, and another ({@code mockcloud-sandbox-napi}, half as many threads)
 * serves NAPI, as they are separate services in a datacenter: NAPI's changefeed pushes every
 * NIC change to every CN's socket, and that flood must not delay the heartbeats CNAPI is timing
 * (it can take at most NAPI's threads, and its backlog per socket is bounded). Handlers never block.
 * CNAPI's calls to cn-agents go out on the CNAPI worker through {@code OutboundHttp}, with
 * completions on {@code mockcloud-sandbox-cnapi-client} threads. Every store has its own lock
 * that guards map work only.
 * Time comes from {@link SandboxOptions#clock()}, so tests move it instead of sleeping.
 */
public final class Sandbox implements AutoCloseable {
  private final SandboxOptions options;
  private final HttpListeners listeners;
  private final HttpListeners napiListeners;
  private final CnAgentClient agentClient;
  private final SandboxNapi napi;
  private final SandboxCnapi cnapi;
  private final SandboxVmapi vmapi;
  private final SandboxSapi sapi;
  private final SandboxFwapi fwapi;
  private final CnapiServerJobs serverJobs;
  private final HttpListeners.Listener napiListener;
  private final HttpListeners.Listener cnapiListener;
  private final HttpListeners.Listener vmapiListener;
  private final HttpListeners.Listener sapiListener;
  private final HttpListeners.Listener fwapiListener;
  private SandboxBooter booter; // guarded by this; made on first use

  private Sandbox(SandboxOptions options) {
    this.options = options;
    this.listeners = new HttpListeners("mockcloud-sandbox", options.ioThreads());
    this.agentClient = new CnAgentClient(listeners);
    this.napi = new SandboxNapi(options);
    this.cnapi = new SandboxCnapi(options, napi.nicTags(), agentClient);
    WorkflowJobs jobs = new WorkflowJobs(options.clock()); // the workflow API both APIs' jobs run in
    this.serverJobs = new CnapiServerJobs(jobs, cnapi, napi);
    cnapi.serverJobs(serverJobs);
    this.vmapi = new SandboxVmapi(options, cnapi, napi, jobs);
    this.sapi = new SandboxSapi(options);
    this.fwapi = new SandboxFwapi(options.bindHost(), vmapi.vms()::get, () -> vmapi.vms().list(VmapiVms::isActive));
    vmapi.fwapi(fwapi);
    cnapi.vmsOfServer(vmapi.vms()::serverVms);
    cnapi.vmListOfServer(vmapi.vms()::serverVmList);
    // NAPI gets half the I/O threads (one on the default two): its changefeed broadcast, every
    // NIC change to every CN's socket, can then take at most that share of the CPU, and CNAPI
    // keeps the rest for the heartbeats it answers. A real NAPI is one node process: one core.
    this.napiListeners = new HttpListeners("mockcloud-sandbox-napi", Math.max(1, options.ioThreads() / 2));
    HttpListeners.Listener n = null;
    HttpListeners.Listener c = null;
    HttpListeners.Listener v = null;
    try {
      RequestCounts counts = new RequestCounts();
      cnapi.requestCounts(counts);
      n = napiListeners.open(options.bindHost(), 0, counts.counted("napi", napi.handler()));
      c = listeners.open(options.bindHost(), 0, counts.counted("cnapi", cnapi.router()));
      v = listeners.open(options.bindHost(), 0, counts.counted("vmapi", vmapi.router()));
      this.vmapiListener = v;
      this.sapiListener = listeners.open(options.bindHost(), 0, counts.counted("sapi", sapi.router()));
      this.fwapiListener = listeners.open(options.bindHost(), 0, counts.counted("fwapi", fwapi.router()));
      vmapi.selfUrl(vmapiListener.baseUrl());
      cnapi.selfUrl(c.baseUrl());
      napi.selfUrl(n.baseUrl());
    } catch (RuntimeException e) {
      if (v != null) {
        v.close();
      }
      if (c != null) {
        c.close();
      }
      if (n != null) {
        n.close();
      }
      agentClient.close();
      listeners.close();
      napiListeners.close();
      fwapi.close();
      throw e;
    }
    this.napiListener = n;
    this.cnapiListener = c;
  }

  /** {@code start(SandboxOptions.defaults())}. */
  public static Sandbox start() {
    return start(SandboxOptions.defaults());
  }

  /** Starts the three stand-ins; they are listening when this returns. */
  public static Sandbox start(SandboxOptions options) {
    return new Sandbox(options);
  }

  public String napiUrl() {
    return napiListener.baseUrl();
  }

  public String cnapiUrl() {
    return cnapiListener.baseUrl();
  }

  public String vmapiUrl() {
    return vmapiListener.baseUrl();
  }

  public String sapiUrl() {
    return sapiListener.baseUrl();
  }

  public String fwapiUrl() {
    return fwapiListener.baseUrl();
  }

  /** FWAPI's fast-messages port, where firewallers connect (2020 on a real FWAPI), on the same host. */
  public int fwapiFastPort() {
    return fwapi.fastPort();
  }

  /** The operator uuid ({@code ufdsAdmin}) that create-server puts on admin NICs. */
  public String adminUuid() {
    return options.adminUuid();
  }

  public String datacenter() {
    return options.datacenter();
  }

  public SandboxOptions options() {
    return options;
  }

  public SandboxNapi napi() {
    return napi;
  }

  public SandboxCnapi cnapi() {
    return cnapi;
  }

  public SandboxVmapi vmapi() {
    return vmapi;
  }

  public SandboxSapi sapi() {
    return sapi;
  }

  public SandboxFwapi fwapi() {
    return fwapi;
  }

  /** The booter stand-in (a DHCP server on a loopback UDP port), started on first use. */
  public synchronized SandboxBooter booter() {
    if (booter == null) {
      booter = new SandboxBooter(options.bindHost(), napi.nics(), adminUuid());
    }
    return booter;
  }

  /**
   * Lets CNAPI's server-setup and server-factory-reset workflows run: {@code scripts} does to a
   * mock CN what their scripts do to a real one. Without it they answer 501.
   */
  public void setupScripts(SetupScripts scripts) {
    serverJobs.setupScripts(scripts);
  }

  /** The three URLs, one per line, as the {@code sandbox} command prints them. */
  public String describe() {
    return "napi  " + napiUrl() + "\ncnapi " + cnapiUrl() + "\nvmapi " + vmapiUrl() + "\nsapi  " + sapiUrl()
        + "\nfwapi " + fwapiUrl() + " (fast port " + fwapiFastPort() + ")"
        + "\ndatacenter " + datacenter() + "\nadmin " + adminUuid();
  }

  /** Stops the listeners and the I/O workers; stored state is dropped with the object. */
  @Override
  public void close() {
    synchronized (this) {
      if (booter != null) {
        booter.close();
      }
    }
    fwapiListener.close();
    fwapi.close();
    sapiListener.close();
    vmapiListener.close();
    cnapiListener.close();
    napiListener.close();
    agentClient.close();
    listeners.close();
    napiListeners.close();
  }
}
