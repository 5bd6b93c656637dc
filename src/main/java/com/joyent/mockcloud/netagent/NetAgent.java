package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.util.Timer;
import com.joyent.mockcloud.vm.ServerVms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The mock net-agent of one CN (spec net-agent-cmon-mockcloud.md §2; docs/net-agent.md):
 * keeps NAPI in step with the CN's own NICs (sysinfo) and its VMs' NICs, and brings NAPI's
 * network-derived fields back into the VM files.
 *
 * <pre>
 * NetAgent agent = new NetAgent(dir, vms, settings, threads.netAgentLoop(), threads.taskPool(),
 *     apis.napi(options.userAgent(cn), options.requestTimeout()), options);
 * agent.start();   // returns at once; all work happens on the shared threads
 * ...
 * agent.stop();    // stops tracking; nothing is deleted in NAPI
 * </pre>
 *
 * <p>Shape: VM store events, NAPI replies, changefeed frames and timers become jobs on this
 * CN's {@link CnLoop}, drained on the shared scheduler; NAPI is reached only through
 * its {@link NapiApi} (the shared HTTP client, behind the process-wide gate of its NAPI);
 * disk work (sysinfo, instance uuid, VM files) runs on {@code worker}. No thread, timer or
 * selector belongs to a CN: its delays share one pending scheduler job, its changefeed
 * socket the shared WebSocket dialer's I/O thread.
 *
 * <p>Changefeed ({@code options.changefeed()}, {@link ChangefeedMode}): per-cn (and auto) — a
 * socket and registration of the CN's own, as a real CN; shared — no socket: the process's one
 * socket to this NAPI ({@link SharedChangefeeds}) hands this CN the items that concern it,
 * posted to its loop; off — none, periodic refreshes only.
 *
 * <p>Threads: {@link #start()}, {@link #stop()} and {@link #stats()} may be called from any
 * thread and never block on the network or disk.
 */
public final class NetAgent {
  private final ServerDirectory dir;
  private final ServerVms vms;
  private final NetAgentOptions options;
  private final Executor worker;
  private final CnLoop loop;
  private final CnSync sync;
  private final NapiApi napi;
  private final String cn;
  private volatile Changefeed changefeed;
  /** Mode {@code shared}: the process's one socket to this CN's NAPI; null otherwise. */
  private final SharedChangefeed shared;
  private volatile String instance;
  private volatile boolean started;
  private volatile boolean stopped;

  /**
   * @param dir the CN's directory (sysinfo, {@code agents/net-agent/instance_uuid})
   * @param vms the CN's VMs
   * @param settings the UFDS admin uuid (owner of the CN's NICs) is required
   * @param loopTimer the net-agents' timer: runs the CN's loop and its delays; never blocked
   * @param worker bounded pool for work that touches disk (NAPI requests start on the view's starter)
   * @param napi the CN's NAPI view ({@code TritonApis.napi}: the shared client, the gate of its
   *     NAPI, the WebSocket dialer; user agent {@code options.userAgent(cn)})
   * @param options timings and limits; {@code changefeed} must not be {@link ChangefeedMode#SHARED}
   *     (that needs the process's {@link SharedChangefeeds}: use the other constructor)
   */
  public NetAgent(ServerDirectory dir, ServerVms vms, Settings settings, Timer loopTimer, Executor worker,
      NapiApi napi, NetAgentOptions options) {
    this(dir, vms, settings, loopTimer, worker, napi, options, null);
  }

  /**
   * As above; with {@code options.changefeed()} {@link ChangefeedMode#SHARED} the agent gets its
   * change items from {@code sharedFeeds} (one socket per NAPI for the process) instead of a
   * socket of its own.
   *
   * @param sharedFeeds the process's shared changefeeds; required in mode {@code shared}, else unused
   * @throws IllegalArgumentException in mode {@code shared} without {@code sharedFeeds}
   */
  public NetAgent(ServerDirectory dir, ServerVms vms, Settings settings, Timer loopTimer, Executor worker,
      NapiApi napi, NetAgentOptions options, SharedChangefeeds sharedFeeds) {
    if (options.changefeed() == ChangefeedMode.SHARED && sharedFeeds == null) {
      throw new IllegalArgumentException("changefeed mode shared needs the process's SharedChangefeeds");
    }
    this.dir = dir;
    this.vms = vms;
    this.options = options;
    this.worker = worker;
    this.cn = dir.uuid().toString();
    this.loop = new CnLoop(cn, loopTimer);
    this.napi = napi;
    this.sync = new CnSync(cn, settings.requireAdminUuid().toString(), loop, options, vms, dir, napi, worker);
    this.shared = options.changefeed() == ChangefeedMode.SHARED ? sharedFeeds.forNapi(napi.url()) : null;
  }

  public String serverUuid() {
    return cn;
  }

  /**
   * Subscribes to the CN's VM events and schedules the start-up after a random delay within
   * {@code startSpread}; returns at once. Calling it twice has no further effect.
   */
  public void start() {
    synchronized (this) {
      if (started || stopped) {
        return;
      }
      started = true;
    }
    // The Subscription is not kept: it holds a copy of every VM taken at subscribe time, for as
    // long as it lives (kilobytes per CN). The listener drops events once stopped instead, and
    // stays registered until the VM store closes the server (see docs/net-agent.md).
    vms.subscribe(e -> {
      if (!stopped) {
        sync.onVmEvent(e);
      }
    });
    long spread = options.startSpread().toMillis();
    long delay = spread <= 0 ? 0 : ThreadLocalRandom.current().nextLong(spread);
    loop.later(delay, this::loadIdentity);
  }

  /**
   * Stops all tracking and closes the changefeed (in mode {@code shared}: leaves the shared
   * feed's index, whose socket stays for the other CNs); nothing is deleted in NAPI. Idempotent.
   */
  public void stop() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    loop.stop(shared == null ? null : sync::leaveRoutes);
    Changefeed c = changefeed;
    if (c != null) {
      c.stop();
    }
  }

  /** Stopped: for good (its CN stopped) or while its behaviour pauses it (a new agent resumes). */
  public boolean isStopped() {
    return stopped;
  }

  public NetAgentStats stats() {
    CnSync.Counters c = sync.stats;
    Changefeed f = changefeed;
    boolean connected = shared != null ? shared.connected() : f != null && f.connected;
    return new NetAgentStats(c.ready, c.requests, c.failures, c.retries, c.nics, connected);
  }

  /** How this agent listens to the changefeed: per-cn (also for auto), shared or off. */
  public ChangefeedMode changefeedMode() {
    return switch (options.changefeed()) {
      case SHARED -> ChangefeedMode.SHARED;
      case OFF -> ChangefeedMode.OFF;
      case PER_CN, AUTO -> ChangefeedMode.PER_CN;
    };
  }

  /** For tests: changefeed items handed to this CN so far. */
  long changefeedItems() {
    return sync.stats.items;
  }

  /** The changefeed instance uuid, once read or created; null before. */
  public String instanceUuid() {
    return instance;
  }

  /** For tests: {@code mac → state name} of every tracked NIC, read on the loop. */
  CompletableFuture<Map<String, String>> nicStates() {
    CompletableFuture<Map<String, String>> f = new CompletableFuture<>();
    loop.post(() -> f.complete(sync.nicStates()));
    return f;
  }

  /** For tests: reload sysinfo as the reference's ServerFSM refresh does. */
  void refreshServer() {
    loop.post(sync::refreshServer);
  }

  /** For tests: the networks tracked, read on the loop. */
  CompletableFuture<List<String>> networks() {
    CompletableFuture<List<String>> f = new CompletableFuture<>();
    loop.post(() -> f.complete(sync.networkUuids()));
    return f;
  }

  private void loadIdentity() {
    CompletableFuture.supplyAsync(() -> {
      try {
        return InstanceUuid.ensure(dir.agentsDir().resolve("net-agent"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, worker).whenComplete((id, err) -> loop.post(() -> {
      if (err != null) {
        sync.localFailed("read agents/net-agent/instance_uuid", err);
        loop.later(options.napiRetry().toMillis(), this::loadIdentity);
        return;
      }
      instance = id;
      if (shared != null) {
        sync.routes = shared.routes; // before begin(): every MAC and network is announced before it is read
        shared.join(sync);
        sync.begin();
        return;
      }
      sync.begin();
      if (changefeedMode() == ChangefeedMode.PER_CN) {
        Changefeed c = new Changefeed(new OwnFeed(), napi, id);
        changefeed = c;
        if (stopped) { // stop() ran before the changefeed existed
          return;
        }
        c.start();
      }
    }));
  }

  /** Mode per-cn: the CN's own socket reports to the CN's state. Runs on the CN's loop. */
  private final class OwnFeed implements Changefeed.Sink {
    @Override
    public CnLoop loop() {
      return loop;
    }

    @Override
    public NetAgentOptions options() {
      return options;
    }

    @Override
    public String who() {
      return "net-agent of " + cn;
    }

    @Override
    public String serverUuid() {
      return cn;
    }

    @Override
    public void requested() {
      sync.stats.requests++;
    }

    @Override
    public void retried() {
      sync.stats.retries++;
    }

    @Override
    public void succeeded() {
      sync.succeeded();
    }

    @Override
    public void failed(String call, ApiResponse r, Throwable err) {
      sync.failed(call, r, err);
    }

    @Override
    public void bootstrap(List<String> kinds, long registeredAt) {
      sync.onBootstrap(kinds, registeredAt);
    }

    @Override
    public void change(Map<String, Object> item) {
      sync.onChange(item);
    }
  }
}
