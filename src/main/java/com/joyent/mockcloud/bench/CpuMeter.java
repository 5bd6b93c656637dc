package com.joyent.mockcloud.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the machine's CPU went over a window of the bench: the CPU time of each process of the
 * run (child JVMs from {@code /proc/<pid>/stat}, this JVM from its own process CPU time) and of
 * the whole machine ({@code /proc/stat}), read at the start and the end of the window, as % of
 * one core (100 = one core busy the whole window; the machine can reach 100 × cores). What the
 * machine spent beyond the run's processes is "other processes": anything else on the machine.
 */
final class CpuMeter {
  /** The name under which this JVM (the bench, sending the task mix) is reported. */
  static final String SELF = "bench";
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  /** CPU seconds of each named process (NaN when it could not be read), machine busy seconds, wall time. */
  record Reading(long nanos, Map<String, Double> cpuSeconds, double machineBusySeconds) {}

  private final Map<String, Long> pids;

  /** @param pids name → pid of each process to follow, in the order they are reported; -1 = this JVM */
  CpuMeter(Map<String, Long> pids) {
    this.pids = new LinkedHashMap<>(pids);
  }

  Reading read() {
    Map<String, Double> cpu = new LinkedHashMap<>();
    for (Map.Entry<String, Long> p : pids.entrySet()) {
      cpu.put(p.getKey(), p.getValue() < 0 ? selfCpuSeconds() : childCpuSeconds(p.getValue()));
    }
    return new Reading(System.nanoTime(), cpu, machineBusySeconds());
  }

  /**
   * % of one core of each process between two readings, then {@code other_processes} (the
   * machine's busy time not spent by them) and {@code machine} (all of it); null for a process
   * that could not be read at either end.
   */
  static Map<String, Object> percent(Reading a, Reading b) {
    double wall = (b.nanos() - a.nanos()) / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    double ours = 0;
    for (Map.Entry<String, Double> e : b.cpuSeconds().entrySet()) {
      Double start = a.cpuSeconds().get(e.getKey());
      double used = start == null ? Double.NaN : e.getValue() - start;
      if (Double.isNaN(used) || wall <= 0) {
        out.put(e.getKey(), null);
      } else {
        out.put(e.getKey(), Bench.round(used / wall * 100));
        ours += used;
      }
    }
    double machine = b.machineBusySeconds() - a.machineBusySeconds();
    if (Double.isNaN(machine) || wall <= 0) {
      out.put("other_processes", null);
      out.put("machine", null);
    } else {
      // Tick granularity (10 ms per process) can make the difference slightly negative.
      out.put("other_processes", Bench.round(Math.max(0, machine - ours) / wall * 100));
      out.put("machine", Bench.round(machine / wall * 100));
    }
    return out;
  }

  /** This JVM's CPU time (all its threads), in seconds. */
  static double selfCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long ns = os.getProcessCpuTime();
      if (ns >= 0) {
        return ns / 1e9;
      }
    }
    return childCpuSeconds(ProcessHandle.current().pid());
  }

  private static double childCpuSeconds(long pid) {
    try {
      return ProcessStats.cpuSeconds(pid);
    } catch (IOException | RuntimeException e) {
      return Double.NaN; // gone, or not Linux
    }
  }

  /** Busy time of all CPUs since boot, from the first line of /proc/stat; NaN where there is none. */
  static double machineBusySeconds() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          return busyTicks(line) / (double) TICKS_PER_SECOND;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }

  /** user + nice + system + irq + softirq + steal of a {@code /proc/stat} cpu line (guest is inside user). */
  static long busyTicks(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      if (i < f.length) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }
}
