package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.triton.UserAgent;
import java.time.Duration;
import java.util.Objects;

/**
 * net-agent's timings (spec net-agent-cmon-mockcloud.md §2.12) and load limits. {@link #defaults()}
 * are the reference's values, with the deviations noted per component; tests shorten them.
 *
 * @param version the agent version in the User-Agent
 * @param startSpread each CN starts after a random delay in {@code [0, startSpread)}, so a fleet
 *     of thousands does not hit NAPI in the same second
 * @param vmsDebounce successive VM-list passes at least this far apart (first one immediate)
 * @param napiRetry wait after a failed NAPI call (GET/POST/PUT/DELETE) or failed sysinfo load
 * @param localRetry wait after a failed VM file update (the reference retries at once)
 * @param nicRefresh periodic re-GET of a NIC that is in step
 * @param networkRefresh periodic re-GET of a network
 * @param aggrRefresh periodic re-GET of an aggregation
 * @param changefeedRetryMin first reconnect delay of the changefeed; doubles per failure
 * @param changefeedRetryMax reconnect delay cap
 * @param changefeedAbsentRetry wait before probing again when NAPI answers 404/405 to
 *     {@code GET /changefeeds} (it has no changefeed; the periodic refreshes carry on)
 * @param heartbeat changefeed heartbeat period
 * @param requestTimeout whole-request timeout of one NAPI call
 * @param maxConcurrentRequests NAPI requests in flight at once for the whole process (per NAPI
 *     URL); the rest wait in a FIFO. The limit of {@code fleet/DaemonThreads.napiGate}, which
 *     makes that gate once: the first limit asked for wins
 * @param changefeed how to listen to NAPI's changefeed: a socket per CN, one shared socket
 *     ({@link SharedChangefeeds}), or none; {@link ChangefeedMode#AUTO} is resolved by the fleet
 *     and means {@link ChangefeedMode#PER_CN} to a lone agent. With {@code SHARED}, the
 *     bootstrap re-reads of a (re)connect are spread over {@code startSpread}
 */
public record NetAgentOptions(String version, Duration startSpread, Duration vmsDebounce, Duration napiRetry,
    Duration localRetry, Duration nicRefresh, Duration networkRefresh, Duration aggrRefresh,
    Duration changefeedRetryMin, Duration changefeedRetryMax, Duration changefeedAbsentRetry, Duration heartbeat,
    Duration requestTimeout, int maxConcurrentRequests, ChangefeedMode changefeed) {

  public NetAgentOptions {
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException("maxConcurrentRequests must be >= 1, got " + maxConcurrentRequests);
    }
    if (changefeedRetryMin.compareTo(changefeedRetryMax) > 0) {
      throw new IllegalArgumentException("changefeedRetryMin must be <= changefeedRetryMax, got "
          + changefeedRetryMin + " > " + changefeedRetryMax);
    }
    Objects.requireNonNull(changefeed, "changefeed");
  }

  public static NetAgentOptions defaults() {
    return new NetAgentOptions("2.3.3", Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofHours(1),
        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMillis(27_817),
        Duration.ofSeconds(20), 64, ChangefeedMode.PER_CN);
  }

  /** Timings for tests: everything in milliseconds, no start spread. */
  public static NetAgentOptions fast() {
    return defaults().toBuilder().startSpread(Duration.ZERO).vmsDebounce(Duration.ofMillis(50))
        .napiRetry(Duration.ofMillis(100)).localRetry(Duration.ofMillis(50)).changefeedRetryMin(Duration.ofMillis(100))
        .changefeedRetryMax(Duration.ofMillis(400)).changefeedAbsentRetry(Duration.ofSeconds(1))
        .heartbeat(Duration.ofMillis(200)).requestTimeout(Duration.ofSeconds(5)).build();
  }

  /** A builder holding these options, to change a few. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public NetAgentOptions withRefresh(Duration nic, Duration network) {
    return toBuilder().nicRefresh(nic).networkRefresh(network).build();
  }

  /** How far apart the agents of a fleet start, so thousands do not hit NAPI at once. */
  public NetAgentOptions withStartSpread(Duration spread) {
    return toBuilder().startSpread(spread).build();
  }

  /** {@code true}: a changefeed socket per CN; {@code false}: none. */
  public NetAgentOptions withChangefeed(boolean on) {
    return withChangefeed(on ? ChangefeedMode.PER_CN : ChangefeedMode.OFF);
  }

  public NetAgentOptions withChangefeed(ChangefeedMode mode) {
    return toBuilder().changefeed(mode).build();
  }

  public NetAgentOptions withMaxConcurrentRequests(int n) {
    return toBuilder().maxConcurrentRequests(n).build();
  }

  /** Options changed a few at a time ({@link #toBuilder()}); the fields are the record's, checked at {@link #build()}. */
  public static final class Builder {
    private String version;
    private Duration startSpread;
    private Duration vmsDebounce;
    private Duration napiRetry;
    private Duration localRetry;
    private Duration nicRefresh;
    private Duration networkRefresh;
    private Duration aggrRefresh;
    private Duration changefeedRetryMin;
    private Duration changefeedRetryMax;
    private Duration changefeedAbsentRetry;
    private Duration heartbeat;
    private Duration requestTimeout;
    private int maxConcurrentRequests;
    private ChangefeedMode changefeed;

    private Builder(NetAgentOptions o) {
      version = o.version;
      startSpread = o.startSpread;
      vmsDebounce = o.vmsDebounce;
      napiRetry = o.napiRetry;
      localRetry = o.localRetry;
      nicRefresh = o.nicRefresh;
      networkRefresh = o.networkRefresh;
      aggrRefresh = o.aggrRefresh;
      changefeedRetryMin = o.changefeedRetryMin;
      changefeedRetryMax = o.changefeedRetryMax;
      changefeedAbsentRetry = o.changefeedAbsentRetry;
      heartbeat = o.heartbeat;
      requestTimeout = o.requestTimeout;
      maxConcurrentRequests = o.maxConcurrentRequests;
      changefeed = o.changefeed;
    }

    public Builder startSpread(Duration v) {
      startSpread = v;
      return this;
    }

    public Builder vmsDebounce(Duration v) {
      vmsDebounce = v;
      return this;
    }

    public Builder napiRetry(Duration v) {
      napiRetry = v;
      return this;
    }

    public Builder localRetry(Duration v) {
      localRetry = v;
      return this;
    }

    public Builder nicRefresh(Duration v) {
      nicRefresh = v;
      return this;
    }

    public Builder networkRefresh(Duration v) {
      networkRefresh = v;
      return this;
    }

    public Builder aggrRefresh(Duration v) {
      aggrRefresh = v;
      return this;
    }

    public Builder changefeedRetryMin(Duration v) {
      changefeedRetryMin = v;
      return this;
    }

    public Builder changefeedRetryMax(Duration v) {
      changefeedRetryMax = v;
      return this;
    }

    public Builder changefeedAbsentRetry(Duration v) {
      changefeedAbsentRetry = v;
      return this;
    }

    public Builder heartbeat(Duration v) {
      heartbeat = v;
      return this;
    }

    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    public Builder maxConcurrentRequests(int v) {
      maxConcurrentRequests = v;
      return this;
    }

    public Builder changefeed(ChangefeedMode v) {
      changefeed = v;
      return this;
    }

    public NetAgentOptions build() {
      return new NetAgentOptions(version, startSpread, vmsDebounce, napiRetry, localRetry, nicRefresh, networkRefresh, aggrRefresh, changefeedRetryMin, changefeedRetryMax, changefeedAbsentRetry, heartbeat, requestTimeout, maxConcurrentRequests, changefeed);
    }
  }

  /** {@code net-agent/2.3.3 (java/17.0.9) server/<cn>}. */
  public String userAgent(String serverUuid) {
    return UserAgent.of("net-agent", version, "server/" + serverUuid);
  }

  /** The shared changefeed's: {@code net-agent/2.3.3 (java/17.0.9) mockcloud/<process instance uuid>}. */
  String sharedUserAgent(String instance) {
    return UserAgent.of("net-agent", version, "mockcloud/" + instance);
  }
}
