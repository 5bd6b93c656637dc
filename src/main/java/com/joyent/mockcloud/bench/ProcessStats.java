package com.joyent.mockcloud.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Linux says about another process: RSS and threads from {@code /proc/<pid>/status},
 * CPU ticks from {@code /proc/<pid>/stat}, open descriptors from {@code /proc/<pid>/fd};
 * heap used after a full GC and a class histogram from {@code jcmd}.
 */
final class ProcessStats {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private ProcessStats() {}

  static long rssBytes(long pid) throws IOException {
    return statusField(pid, "VmRSS:") * 1024;
  }

  static long threads(long pid) throws IOException {
    return statusField(pid, "Threads:");
  }

  static long openFds(long pid) throws IOException {
    try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return s.count();
    }
  }

  /** utime + stime of the process, in seconds. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name (which may contain spaces) start after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(f[11]);
    long stime = Long.parseLong(f[12]);
    return (utime + stime) / (double) TICKS_PER_SECOND;
  }

  /** Runs a full GC in the process, then reads the heap in use (bytes), via jcmd. */
  static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    // e.g. " def new generation   total 9792K, used 1021K [..." / " tenured generation total 21888K, used 15678K"
    long used = 0;
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    while (m.find()) {
      used += Long.parseLong(m.group(1));
    }
    // Metaspace lines also say "used"; subtract them so this is the Java heap only.
    Matcher meta = Pattern.compile("(Metaspace|class space)\\s+used (\\d+)K").matcher(info);
    while (meta.find()) {
      used -= Long.parseLong(meta.group(2));
    }
    return used * 1024;
  }

  /**
   * The instances and shallow bytes of the classes under {@code prefix}, summed by package, from
   * {@code jcmd GC.class_histogram} (which collects first, so these are live objects). Shallow:
   * the maps and strings an object holds count in java.util and java.lang, not here; what this
   * shows exactly is how many of each kind of our own object there are.
   */
  static Map<String, long[]> histogramByPackage(long pid, String prefix) throws IOException, InterruptedException {
    String histogram = jcmd(pid, "GC.class_histogram");
    // e.g. "   7:         10000         480000  com.joyent.mockcloud.fleet.MockCn"
    Pattern line = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
    Map<String, long[]> byPackage = new TreeMap<>();
    Matcher m = line.matcher(histogram);
    while (m.find()) {
      String name = m.group(3);
      if (!name.startsWith(prefix) || name.lastIndexOf('.') < 0) {
        continue;
      }
      long[] sum = byPackage.computeIfAbsent(name.substring(0, name.lastIndexOf('.')), k -> new long[2]);
      sum[0] += Long.parseLong(m.group(1));
      sum[1] += Long.parseLong(m.group(2));
    }
    return byPackage;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
    }
    return out;
  }

  private static long statusField(long pid, String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no " + name + " in /proc/" + pid + "/status");
  }
}
