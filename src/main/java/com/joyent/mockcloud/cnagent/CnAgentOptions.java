package com.joyent.mockcloud.cnagent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The cn-agent constants of spec cn-agent.md §6.1, overridable so tests need not wait for
 * them. {@link #defaults()} are the reference values, but for two choices: status reports
 * carry the CN's VMs ({@code statusReportsVms}, as the smartos backend), and CNAPI requests
 * share keep-alive connections unless {@code cnapiConnectionPerRequest} (the reference opens
 * a connection per request: 2,000 a second at 10,000 CNs, more than the ephemeral ports allow).
 */
public record CnAgentOptions(
    String agentVersion,
    Duration heartbeatInterval,
    Duration firstStatusDelay,
    Duration statusInterval,
    Duration statusThrottle,
    Duration requestTimeout,
    Duration taskTimeout,
    Duration sysinfoPollInterval,
    Duration provisionLockPoll,
    Duration provisionLockMaxWait,
    Duration backoffMin,
    Duration backoffMax,
    Path tmpDir,
    boolean statusReportsVms,
    boolean cnapiConnectionPerRequest) {

  public static CnAgentOptions defaults() {
    return new CnAgentOptions("2.14.5", Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(60),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(3600), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofMillis(500), Duration.ofSeconds(120),
        Path.of("/var/tmp"), true, false);
  }

  public CnAgentOptions withTmpDir(Path dir) {
    return new CnAgentOptions(agentVersion, heartbeatInterval, firstStatusDelay, statusInterval, statusThrottle,
        requestTimeout, taskTimeout, sysinfoPollInterval, provisionLockPoll, provisionLockMaxWait, backoffMin,
        backoffMax, dir, statusReportsVms, cnapiConnectionPerRequest);
  }

  public CnAgentOptions withHeartbeatInterval(Duration d) {
    return new CnAgentOptions(agentVersion, d, firstStatusDelay, statusInterval, statusThrottle,
        requestTimeout, taskTimeout, sysinfoPollInterval, provisionLockPoll, provisionLockMaxWait, backoffMin,
        backoffMax, tmpDir, statusReportsVms, cnapiConnectionPerRequest);
  }

  public CnAgentOptions withTaskTimeout(Duration d) {
    return new CnAgentOptions(agentVersion, heartbeatInterval, firstStatusDelay, statusInterval, statusThrottle,
        requestTimeout, d, sysinfoPollInterval, provisionLockPoll, provisionLockMaxWait, backoffMin,
        backoffMax, tmpDir, statusReportsVms, cnapiConnectionPerRequest);
  }

  /** Every CNAPI request on a new connection, closed after the answer, as the Node agent does. */
  public CnAgentOptions withCnapiConnectionPerRequest(boolean perRequest) {
    return new CnAgentOptions(agentVersion, heartbeatInterval, firstStatusDelay, statusInterval, statusThrottle,
        requestTimeout, taskTimeout, sysinfoPollInterval, provisionLockPoll, provisionLockMaxWait, backoffMin,
        backoffMax, tmpDir, statusReportsVms, perRequest);
  }

  /** {@code cn-agent/2.14.5 (java/17.0.15) server/<uuid>}, the reference's pattern. */
  public String userAgent(java.util.UUID server) {
    return com.joyent.mockcloud.triton.UserAgent.of("cn-agent", agentVersion, "server/" + server);
  }
}
