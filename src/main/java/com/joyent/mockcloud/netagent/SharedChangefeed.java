package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.util.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process's one changefeed subscription to one NAPI (mode {@code shared}; docs/net-agent.md):
 * one {@link Changefeed} socket — the same probe, upgrade, v2 registration, heartbeat and
 * reconnect as a CN's own — registered as {@code {instance:<the process's uuid>,
 * service:"net-agent"}}, whose change items are handed in-process to the net-agents they concern
 * ({@link ChangefeedRoutes}), each by a job posted to that CN's {@link CnLoop}.
 *
 * <p>Bootstrap (every (re)connect): every CN that has joined re-reads what it last read at or
 * before the registration went out ({@link CnSync#onBootstrap}, as with its own socket). The
 * CNs are told in slices spread over {@code startSpread} (the pace the fleet started at), so
 * 10,000 CNs do not put their 140,000 GETs in NAPI's gate at one moment; items keep being
 * routed to every CN meanwhile.
 *
 * <p>Threads: the socket's callbacks, the bootstrap pacing and the routing run on this feed's
 * own {@link CnLoop} (on the net-agents' scheduler); CN state is only ever touched by jobs
 * posted to the CN's loop. {@link #join}, {@link #connected} and {@link #close} may be called
 * from any thread.
 */
final class SharedChangefeed implements Changefeed.Sink {
  /** How often a slice of a spread bootstrap goes out. */
  static final long BOOTSTRAP_TICK_MS = 100;

  final ChangefeedRoutes routes = new ChangefeedRoutes();
  private final SharedChangefeeds owner;
  private final URI napiUrl;
  private final CnLoop loop;
  private final String who;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile Changefeed feed;
  private volatile String instance;
  private volatile boolean closed;
  // counters: written on the loop, read from anywhere
  volatile long requests;
  volatile long failures;
  volatile long retries;
  volatile long bootstraps;
  /** CNs told to re-read after a bootstrap (all of them, per bootstrap, in slices). */
  volatile long bootstrapDeliveries;
  volatile long items;
  volatile long deliveries;
  // loop-confined
  private int failuresInARow;
  private final ArrayDeque<CnSync> bootstrapQueue = new ArrayDeque<>(0);
  private List<String> bootstrapKinds = List.of();
  private long bootstrapRegisteredAt;
  private int bootstrapSlice;
  private final CnLoop.Timed pacer = new CnLoop.Timed() {
    @Override
    void onTimer() {
      bootstrapSlice();
    }
  };

  SharedChangefeed(SharedChangefeeds owner, URI napiUrl) {
    this.owner = owner;
    this.napiUrl = napiUrl;
    this.who = "shared changefeed of " + napiUrl;
    this.loop = new CnLoop("shared-changefeed", owner.loopTimer);
  }

  /**
   * The CN joins: items that concern it are routed to it from now on. The first join starts the
   * socket. Call on the CN's loop before it tracks anything ({@link CnSync#routes} set).
   */
  void join(CnSync s) {
    routes.addCn(s);
    if (started.compareAndSet(false, true)) {
      loop.post(this::loadIdentity);
    }
  }

  /** Registered and bootstrapped. */
  boolean connected() {
    Changefeed f = feed;
    return f != null && f.connected;
  }

  /** The changefeed {@code instance}: this process's uuid, once read or created; null before. */
  String instance() {
    return instance;
  }

  /** Closes the socket; no reconnect. Any thread. */
  void close() {
    closed = true;
    loop.stop();
    Changefeed f = feed;
    if (f != null) {
      f.stop();
    }
  }

  private void loadIdentity() {
    CompletableFuture.supplyAsync(() -> {
      try {
        return InstanceUuid.ensure(owner.instanceDir());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, owner.worker).whenComplete((id, err) -> loop.post(() -> {
      if (err != null) {
        failures++;
        CnSync.LOG.warn("{}: cannot read or create {}: {} (retrying in {} ms)", who,
            owner.instanceDir().resolve("instance_uuid"), String.valueOf(err.getCause() != null ? err.getCause() : err),
            owner.options.napiRetry().toMillis());
        loop.later(owner.options.napiRetry().toMillis(), this::loadIdentity);
        return;
      }
      instance = id;
      NapiApi napi = owner.apis.napi(owner.options.sharedUserAgent(id), owner.options.requestTimeout());
      Changefeed c = new Changefeed(this, napi, id);
      feed = c;
      if (closed) {
        c.stop();
        return;
      }
      CnSync.LOG.info("{}: one socket for every net-agent of this process, instance {}", who, id);
      c.start();
    }));
  }

  // ------------------------------------------------------------------ Changefeed.Sink (on the loop)

  @Override
  public CnLoop loop() {
    return loop;
  }

  @Override
  public NetAgentOptions options() {
    return owner.options;
  }

  @Override
  public String who() {
    return who;
  }

  @Override
  public String serverUuid() {
    return null;
  }

  @Override
  public void requested() {
    requests++;
  }

  @Override
  public void retried() {
    retries++;
  }

  @Override
  public void succeeded() {
    if (failuresInARow > 0) {
      CnSync.LOG.info("{}: connected again after {} failures", who, failuresInARow);
      failuresInARow = 0;
    }
  }

  @Override
  public void failed(String call, ApiResponse r, Throwable err) {
    failures++;
    String why = err != null ? String.valueOf(err.getCause() != null ? err.getCause() : err)
        : r.status() + (r.restCode() != null ? " " + r.restCode() : "");
    if (++failuresInARow == 1) {
      CnSync.LOG.warn("{}: {} failed: {} (reconnecting with back-off)", who, call, why);
    } else {
      CnSync.LOG.debug("{}: {} failed ({} in a row): {}", who, call, failuresInARow, why);
    }
  }

  /**
   * Every CN that has joined re-reads, in slices over {@code startSpread}. A new bootstrap
   * (another reconnect) while slices are still going out starts over with every CN: its
   * registration is later, so it asks for at least as much.
   */
  @Override
  public void bootstrap(List<String> kinds, long registeredAt) {
    bootstraps++;
    bootstrapQueue.clear();
    bootstrapQueue.addAll(routes.cns());
    bootstrapKinds = List.copyOf(kinds);
    bootstrapRegisteredAt = registeredAt;
    long spread = owner.options.startSpread().toMillis();
    long ticks = Math.max(1, spread / BOOTSTRAP_TICK_MS);
    bootstrapSlice = (int) Math.max(1, (bootstrapQueue.size() + ticks - 1) / ticks);
    CnSync.LOG.info("{}: bootstrap: {} net-agents re-read what they read before the registration, over {} ms", who,
        bootstrapQueue.size(),
        bootstrapQueue.size() <= bootstrapSlice ? 0 : spread);
    loop.disarm(pacer);
    bootstrapSlice();
  }

  private void bootstrapSlice() {
    List<String> kinds = bootstrapKinds;
    long at = bootstrapRegisteredAt;
    for (int i = 0; i < bootstrapSlice && !bootstrapQueue.isEmpty(); i++) {
      CnSync s = bootstrapQueue.pollFirst();
      bootstrapDeliveries++;
      s.loop.post(() -> s.onBootstrap(kinds, at));
    }
    if (!bootstrapQueue.isEmpty()) {
      loop.arm(pacer, BOOTSTRAP_TICK_MS);
    }
  }

  @Override
  public void change(Map<String, Object> item) {
    items++;
    deliveries += routes.route(item, s -> s.loop.post(() -> s.onChange(item)));
  }
}
