package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.netagent.ChangefeedMode;
import java.nio.file.Path;

/**
 * One benchmark run: N servers × M VMs, run-servers with this heap, held T seconds idle,
 * then (if rate > 0) T seconds under a task mix of R tasks/s. A null cnapiUrl means "start
 * the sandbox APIs as the receiving side": CNAPI and VMAPI in one JVM, NAPI in another (unless
 * napiUrl is given); {@code changefeed} says whether that sandbox NAPI publishes its changefeed
 * (every CN's net-agent then holds a WebSocket to it). {@code cpuHog} is the % of one core a
 * competing busy process takes during the task mix (0 = none; up to 100 × cores).
 * {@code runServersChangefeed} is passed to run-servers as {@code --changefeed} (null: not
 * passed, run-servers' own default). {@code oversizedBodies} oversized {@code POST /tasks} bodies
 * of {@code oversizedBodyMb} MiB each go to as many CNs at once in the middle of the idle hold
 * (0 = none).
 */
public record BenchOptions(int servers, int vmsPerServer, int holdSeconds, double taskRate, String heap,
    int portBase, String cnapiUrl, String vmapiUrl, String napiUrl, Path root, Path jsonOut, boolean changefeed,
    int cpuHog, String runServersChangefeed, int oversizedBodies, int oversizedBodyMb, Path behaviour, Path scenario,
    boolean dhcp) {
  /** At most this many oversized bodies at once (two sender threads each). */
  public static final int MAX_OVERSIZED_BODIES = 500;
  /** Largest {@code --oversized-body-mb}. */
  public static final int MAX_OVERSIZED_BODY_MB = 1024;

  public void validate() {
    if (servers < 1) {
      throw new IllegalArgumentException("--servers must be at least 1, got " + servers);
    }
    if (vmsPerServer < 0) {
      throw new IllegalArgumentException("--vms must be 0 or more, got " + vmsPerServer);
    }
    if (holdSeconds < 1) {
      throw new IllegalArgumentException("--hold must be at least 1 second, got " + holdSeconds);
    }
    if (taskRate < 0) {
      throw new IllegalArgumentException("--rate must be 0 or more tasks/s, got " + taskRate);
    }
    if (!heap.matches("\\d+[kKmMgG]?")) {
      throw new IllegalArgumentException("--heap must be a JVM size like 512m or 2g, got " + heap);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    if (cpuHog < 0 || cpuHog > 100 * cores) {
      throw new IllegalArgumentException("--cpu-hog must be 0 (off) to " + 100 * cores + " (% of one core; "
          + cores + " cores here), got " + cpuHog);
    }
    if (cpuHog > 0 && taskRate == 0) {
      throw new IllegalArgumentException("--cpu-hog runs during the task mix only: give it a --rate above 0");
    }
    if (runServersChangefeed != null) {
      try {
        ChangefeedMode.parse(runServersChangefeed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--changefeed: " + e.getMessage());
      }
    }
    if (oversizedBodies < 0 || oversizedBodies > Math.min(servers, MAX_OVERSIZED_BODIES)) {
      throw new IllegalArgumentException("--oversized-bodies must be 0 (off) to " + Math.min(servers, MAX_OVERSIZED_BODIES)
          + " (one CN each, at most --servers and " + MAX_OVERSIZED_BODIES + "), got " + oversizedBodies);
    }
    long limitMb = OversizedBodies.CN_AGENT_BODY_LIMIT >> 20;
    if (oversizedBodyMb <= limitMb || oversizedBodyMb > MAX_OVERSIZED_BODY_MB) {
      throw new IllegalArgumentException("--oversized-body-mb must be over cn-agent's " + limitMb + " MiB body limit and at most "
          + MAX_OVERSIZED_BODY_MB + ", got " + oversizedBodyMb);
    }
    if (behaviour != null && !java.nio.file.Files.isRegularFile(behaviour)) {
      throw new IllegalArgumentException("--behaviour: no file " + behaviour);
    }
    if (scenario != null && !java.nio.file.Files.isRegularFile(scenario)) {
      throw new IllegalArgumentException("--scenario: no file " + scenario);
    }
    if (dhcp && napiUrl != null) {
      throw new IllegalArgumentException("--dhcp boots the CNs through the booter beside the bench's own NAPI: "
          + "no --napi-url");
    }
    if ((cnapiUrl == null) != (vmapiUrl == null)) {
      throw new IllegalArgumentException("give both --cnapi-url and --vmapi-url, or neither (the sandbox is used)");
    }
  }

  BenchOptions withServers(int n, int vms, int hold, double rate) {
    return new BenchOptions(n, vms, hold, rate, heap, portBase, cnapiUrl, vmapiUrl, napiUrl, null, jsonOut, changefeed,
        cpuHog, runServersChangefeed, oversizedBodies, oversizedBodyMb, behaviour, scenario, dhcp);
  }
}
