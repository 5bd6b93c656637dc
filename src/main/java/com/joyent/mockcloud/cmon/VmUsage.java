package com.joyent.mockcloud.cmon;

import java.time.Instant;
import java.util.Map;

/**
 * How long a VM has been running in total, the clock all its synthetic counters follow, so a
 * stopped VM's counters stand still and a running one's only grow. One small record per VM
 * that has been scraped; updated at every scrape from the VM's state.
 */
final class VmUsage {
  private double runningSeconds;
  private long lastMillis;
  private boolean lastRunning;

  /** First sight: running since boot (or creation) if running, else from boot to exit. */
  VmUsage(Map<String, Object> vm, long nowMillis) {
    boolean running = "running".equals(vm.get("state"));
    long boot = millis(vm.get("boot_timestamp"), millis(vm.get("create_timestamp"), nowMillis));
    long end = running ? nowMillis : millis(vm.get("exit_timestamp"), boot);
    this.runningSeconds = Math.max(0, end - boot) / 1000.0;
    this.lastMillis = nowMillis;
    this.lastRunning = running;
  }

  /** Advances the clock to now and returns the total running seconds. */
  synchronized double advance(Map<String, Object> vm, long nowMillis) {
    boolean running = "running".equals(vm.get("state"));
    if (lastRunning && nowMillis > lastMillis) {
      // Stopped since the last scrape: count only up to when it stopped, if we know it.
      long until = running ? nowMillis : Math.min(nowMillis, Math.max(lastMillis, millis(vm.get("exit_timestamp"), lastMillis)));
      runningSeconds += (until - lastMillis) / 1000.0;
    } else if (!lastRunning && running && nowMillis > lastMillis) {
      // Started since the last scrape: its last change (the start) is when it began running.
      long since = Math.min(nowMillis, Math.max(lastMillis, millis(vm.get("last_modified"), nowMillis)));
      runningSeconds += (nowMillis - since) / 1000.0;
    }
    lastMillis = Math.max(lastMillis, nowMillis);
    lastRunning = running;
    return runningSeconds;
  }

  private static long millis(Object iso, long fallback) {
    if (iso instanceof String s) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (RuntimeException e) {
        return fallback;
      }
    }
    return fallback;
  }
}
