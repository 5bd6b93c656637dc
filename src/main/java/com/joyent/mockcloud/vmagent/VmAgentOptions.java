package com.joyent.mockcloud.vmagent;

import com.joyent.mockcloud.triton.UserAgent;
import java.time.Duration;

/** vm-agent's timings (spec vmadm-and-vm-agent.md §4.7); {@link #defaults()} are the reference's. */
public record VmAgentOptions(String version, Duration retryMin, Duration retryMax, Duration requestTimeout) {
  public static VmAgentOptions defaults() {
    return new VmAgentOptions("1.9.0", Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10));
  }

  public String userAgent(String serverUuid) {
    return UserAgent.of("vm-agent", version, "server/" + serverUuid);
  }
}
