package com.joyent.mockcloud.firewaller;

import com.joyent.mockcloud.triton.UserAgent;
import java.time.Duration;

/**
 * The firewaller's timings, the real agent's (sdc-firewaller-agent 1.6.1 config.json):
 * a full sync every 30 minutes, and the start-up sync retried from 100 ms doubling to 6 s,
 * 5 times.
 */
public record FirewallerOptions(String version, Duration syncInterval, Duration retryMin, Duration retryMax,
    int retries, Duration requestTimeout) {
  public static FirewallerOptions defaults() {
    return new FirewallerOptions("1.6.1", Duration.ofMinutes(30), Duration.ofMillis(100), Duration.ofSeconds(6), 5,
        Duration.ofSeconds(30));
  }

  public FirewallerOptions withSyncInterval(Duration d) {
    return new FirewallerOptions(version, d, retryMin, retryMax, retries, requestTimeout);
  }

  public String userAgent(String serverUuid) {
    return UserAgent.of("firewaller", version, "server/" + serverUuid);
  }
}
