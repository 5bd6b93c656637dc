package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.triton.TritonApis;
import com.joyent.mockcloud.util.Timer;
import java.io.Closeable;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The changefeed subscriptions of a process in mode {@code shared}: one {@link SharedChangefeed}
 * (one WebSocket) per NAPI URL, created when the first net-agent using that NAPI starts.
 * run-servers' fleet makes one of these and hands it to every {@link NetAgent}.
 *
 * <pre>
 * SharedChangefeeds feeds = new SharedChangefeeds(settings.root(), threads.netAgentLoop(),
 *     threads.taskPool(), apis, options);
 * new NetAgent(dir, vms, settings, ..., options.withChangefeed(ChangefeedMode.SHARED), feeds);
 * ...
 * feeds.close();   // after the agents have stopped
 * </pre>
 *
 * <p>The registration's {@code instance} is this process's uuid, kept in
 * {@code <root>/net-agent/instance_uuid} (made on first use, like each CN's
 * {@code agents/net-agent/instance_uuid}), so a restarted run-servers registers as the same
 * instance. Thread-safe.
 */
public final class SharedChangefeeds implements Closeable {
  final Path root;
  final Timer loopTimer;
  final Executor worker;
  final TritonApis apis;
  final NetAgentOptions options;
  private final ConcurrentHashMap<String, SharedChangefeed> feeds = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param root the mockcloud root; the instance uuid lives in {@code <root>/net-agent/}
   * @param loopTimer the net-agents' timer: runs each feed's loop
   * @param worker for the instance file
   * @param apis where each feed's NAPI view comes from (the NAPI of its settings)
   * @param options timings (reconnect, heartbeat, request timeout, gate size) and the bootstrap
   *     spread ({@code startSpread})
   */
  public SharedChangefeeds(Path root, Timer loopTimer, Executor worker, TritonApis apis,
      NetAgentOptions options) {
    this.root = root;
    this.loopTimer = loopTimer;
    this.worker = worker;
    this.apis = apis;
    this.options = options;
  }

  /** The one feed of this NAPI (created, not yet connected, on first use). */
  SharedChangefeed forNapi(URI napiUrl) {
    String key = napiUrl.toString().replaceFirst("/+$", "");
    SharedChangefeed f = feeds.computeIfAbsent(key, k -> new SharedChangefeed(this, URI.create(k)));
    if (closed) {
      f.close();
    }
    return f;
  }

  /** Where the process's changefeed instance uuid is kept. */
  Path instanceDir() {
    return root.resolve("net-agent");
  }

  /** The instance uuid registered with NAPI, once read or created; null before. */
  public String instanceUuid() {
    for (SharedChangefeed f : feeds.values()) {
      if (f.instance() != null) {
        return f.instance();
      }
    }
    return null;
  }

  /** Every feed is registered and bootstrapped (false while there is none). */
  public boolean connected() {
    return !feeds.isEmpty() && feeds.values().stream().allMatch(SharedChangefeed::connected);
  }

  /** The CNs joined to the feeds (the CNs whose items are routed). */
  public int cns() {
    return feeds.values().stream().mapToInt(f -> f.routes.size()).sum();
  }

  /** Closes every socket; agents still running keep their periodic refreshes. Idempotent. */
  @Override
  public void close() {
    closed = true;
    feeds.values().forEach(SharedChangefeed::close);
  }
}
