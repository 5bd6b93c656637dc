package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.triton.UserAgent;
import java.time.Duration;

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
    java.util.Objects.requireNonNull(changefeed, "changefeed");
  }

  public static NetAgentOptions defaults() {
    return new NetAgentOptions("2.3.3", Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofHours(1),
        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMillis(27_817),
        Duration.ofSeconds(20), 64, ChangefeedMode.PER_CN);
  }

  /** Timings for tests: everything in milliseconds, no start spread. */
  public static NetAgentOptions fast() {
    return new NetAgentOptions("2.3.3", Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofHours(1),
        Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1), Duration.ofMillis(200),
        Duration.ofSeconds(5), 64, ChangefeedMode.PER_CN);
  }

  public NetAgentOptions withRefresh(Duration nic, Duration network) {
    return new NetAgentOptions(version, startSpread, vmsDebounce, napiRetry, localRetry, nic, network, aggrRefresh,
        changefeedRetryMin, changefeedRetryMax, changefeedAbsentRetry, heartbeat, requestTimeout,
        maxConcurrentRequests, changefeed);
  }

  /** How far apart the agents of a fleet start, so thousands do not hit NAPI at once. */
  public NetAgentOptions withStartSpread(Duration spread) {
    return new NetAgentOptions(version, spread, vmsDebounce, napiRetry, localRetry, nicRefresh, networkRefresh,
        aggrRefresh, changefeedRetryMin, changefeedRetryMax, changefeedAbsentRetry, heartbeat, requestTimeout,
        maxConcurrentRequests, changefeed);
  }

  /** {@code true}: a changefeed socket per CN; {@code false}: none. */
  public NetAgentOptions withChangefeed(boolean on) {
    return withChangefeed(on ? ChangefeedMode.PER_CN : ChangefeedMode.OFF);
  }

  public NetAgentOptions withChangefeed(ChangefeedMode mode) {
    return new NetAgentOptions(version, startSpread, vmsDebounce, napiRetry, localRetry, nicRefresh, networkRefresh,
        aggrRefresh, changefeedRetryMin, changefeedRetryMax, changefeedAbsentRetry, heartbeat, requestTimeout,
        maxConcurrentRequests, mode);
  }

  public NetAgentOptions withMaxConcurrentRequests(int n) {
    return new NetAgentOptions(version, startSpread, vmsDebounce, napiRetry, localRetry, nicRefresh, networkRefresh,
        aggrRefresh, changefeedRetryMin, changefeedRetryMax, changefeedAbsentRetry, heartbeat, requestTimeout, n,
        changefeed);
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
