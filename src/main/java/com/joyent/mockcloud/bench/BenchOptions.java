package com.joyent.mockcloud.bench;

import java.nio.file.Path;

/**
 * One benchmark run: N servers × M VMs, run-servers with this heap, held T seconds idle,
 * then (if rate > 0) T seconds under a task mix of R tasks/s. A null cnapiUrl means "start
 * the sandbox APIs as the receiving side": CNAPI and VMAPI in one JVM, NAPI in another (unless
 * napiUrl is given); {@code changefeed} says whether that sandbox NAPI publishes its changefeed
 * (every CN's net-agent then holds a WebSocket to it). {@code cpuHog} is the % of one core a
 * competing busy process takes during the task mix (0 = none; up to 100 × cores).
 */
public record BenchOptions(int servers, int vmsPerServer, int holdSeconds, double taskRate, String heap,
    int portBase, String cnapiUrl, String vmapiUrl, String napiUrl, Path root, Path jsonOut, boolean changefeed,
    int cpuHog) {

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
    if ((cnapiUrl == null) != (vmapiUrl == null)) {
      throw new IllegalArgumentException("give both --cnapi-url and --vmapi-url, or neither (the sandbox is used)");
    }
  }

  BenchOptions withServers(int n, int vms, int hold, double rate) {
    return new BenchOptions(n, vms, hold, rate, heap, portBase, cnapiUrl, vmapiUrl, napiUrl, null, jsonOut, changefeed,
        cpuHog);
  }
}
