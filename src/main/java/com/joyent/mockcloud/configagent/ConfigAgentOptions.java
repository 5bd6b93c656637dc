package com.joyent.mockcloud.configagent;

import com.joyent.mockcloud.triton.UserAgent;
import java.time.Duration;

/**
 * config-agent's timings. The poll interval of {@link #defaults()} is the real agent's in the
 * global zone (sdc-config-agent: {@code pollInterval} 120000 ms); the retry after a failed poll
 * is mockcloud's (the real agent only waits for the next poll).
 */
public record ConfigAgentOptions(String version, Duration pollInterval, Duration retryMin, Duration requestTimeout) {
  public static ConfigAgentOptions defaults() {
    return new ConfigAgentOptions("1.8.4", Duration.ofSeconds(120), Duration.ofSeconds(2), Duration.ofSeconds(30));
  }

  public ConfigAgentOptions withPollInterval(Duration d) {
    return new ConfigAgentOptions(version, d, retryMin, requestTimeout);
  }

  public ConfigAgentOptions withRetryMin(Duration d) {
    return new ConfigAgentOptions(version, pollInterval, d, requestTimeout);
  }

  public String userAgent(String serverUuid) {
    return UserAgent.of("config-agent", version, "server/" + serverUuid);
  }
}
