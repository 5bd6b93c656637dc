package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.triton.UserAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

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

  /** A builder holding these options, to change a few. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public CnAgentOptions withTmpDir(Path dir) {
    return toBuilder().tmpDir(dir).build();
  }

  public CnAgentOptions withHeartbeatInterval(Duration d) {
    return toBuilder().heartbeatInterval(d).build();
  }

  public CnAgentOptions withTaskTimeout(Duration d) {
    return toBuilder().taskTimeout(d).build();
  }

  /** Every CNAPI request on a new connection, closed after the answer, as the Node agent does. */
  public CnAgentOptions withCnapiConnectionPerRequest(boolean perRequest) {
    return toBuilder().cnapiConnectionPerRequest(perRequest).build();
  }

  /** Options changed a few at a time ({@link #toBuilder()}); the fields are the record's. */
  public static final class Builder {
    private String agentVersion;
    private Duration heartbeatInterval;
    private Duration firstStatusDelay;
    private Duration statusInterval;
    private Duration statusThrottle;
    private Duration requestTimeout;
    private Duration taskTimeout;
    private Duration sysinfoPollInterval;
    private Duration provisionLockPoll;
    private Duration provisionLockMaxWait;
    private Duration backoffMin;
    private Duration backoffMax;
    private Path tmpDir;
    private boolean statusReportsVms;
    private boolean cnapiConnectionPerRequest;

    private Builder(CnAgentOptions o) {
      agentVersion = o.agentVersion;
      heartbeatInterval = o.heartbeatInterval;
      firstStatusDelay = o.firstStatusDelay;
      statusInterval = o.statusInterval;
      statusThrottle = o.statusThrottle;
      requestTimeout = o.requestTimeout;
      taskTimeout = o.taskTimeout;
      sysinfoPollInterval = o.sysinfoPollInterval;
      provisionLockPoll = o.provisionLockPoll;
      provisionLockMaxWait = o.provisionLockMaxWait;
      backoffMin = o.backoffMin;
      backoffMax = o.backoffMax;
      tmpDir = o.tmpDir;
      statusReportsVms = o.statusReportsVms;
      cnapiConnectionPerRequest = o.cnapiConnectionPerRequest;
    }

    public Builder heartbeatInterval(Duration d) {
      heartbeatInterval = d;
      return this;
    }

    public Builder firstStatusDelay(Duration d) {
      firstStatusDelay = d;
      return this;
    }

    public Builder statusInterval(Duration d) {
      statusInterval = d;
      return this;
    }

    public Builder statusThrottle(Duration d) {
      statusThrottle = d;
      return this;
    }

    public Builder requestTimeout(Duration d) {
      requestTimeout = d;
      return this;
    }

    public Builder taskTimeout(Duration d) {
      taskTimeout = d;
      return this;
    }

    public Builder sysinfoPollInterval(Duration d) {
      sysinfoPollInterval = d;
      return this;
    }

    public Builder provisionLockPoll(Duration d) {
      provisionLockPoll = d;
      return this;
    }

    public Builder provisionLockMaxWait(Duration d) {
      provisionLockMaxWait = d;
      return this;
    }

    public Builder backoff(Duration min, Duration max) {
      backoffMin = min;
      backoffMax = max;
      return this;
    }

    public Builder tmpDir(Path dir) {
      tmpDir = dir;
      return this;
    }

    public Builder statusReportsVms(boolean b) {
      statusReportsVms = b;
      return this;
    }

    public Builder cnapiConnectionPerRequest(boolean b) {
      cnapiConnectionPerRequest = b;
      return this;
    }

    public CnAgentOptions build() {
      return new CnAgentOptions(agentVersion, heartbeatInterval, firstStatusDelay, statusInterval, statusThrottle,
          requestTimeout, taskTimeout, sysinfoPollInterval, provisionLockPoll, provisionLockMaxWait, backoffMin,
          backoffMax, tmpDir, statusReportsVms, cnapiConnectionPerRequest);
    }
  }

  /** {@code cn-agent/2.14.5 (java/17.0.15) server/<uuid>}, the reference's pattern. */
  public String userAgent(UUID server) {
    return UserAgent.of("cn-agent", agentVersion, "server/" + server);
  }
}
