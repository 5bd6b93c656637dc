package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.util.NamedThreads;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts this jar again in child JVMs (the receivers, run-servers, the CPU hog) and stops them.
 * Children still running when this JVM exits (Ctrl-C, SIGTERM, an uncaught failure) are stopped
 * by a shutdown hook, so a bench never leaves one behind.
 */
final class Children {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(NamedThreads.bench("children-stop").newThread(Children::stopAll));
  }

  private Children() {}

  static Path jar() {
    try {
      Path p = Path.of(Children.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar")) {
        throw new IllegalStateException("bench starts child JVMs from the jar: run it as java -jar target/mockcloud.jar bench");
      }
      return p;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot find the mockcloud jar", e);
    }
  }

  static Process start(List<String> jvmArgs, List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("LOG_LEVEL", "warn");
    Process p = pb.start();
    LIVE.add(p);
    return p;
  }

  /** SIGTERM, then SIGKILL after 20 s; the exit status (-1 if it still has not gone). */
  static int stop(Process p) throws InterruptedException {
    try {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      return p.isAlive() ? -1 : p.exitValue();
    } finally {
      if (!p.isAlive()) {
        LIVE.remove(p);
      }
    }
  }

  /** Every child still running: SIGTERM to all, up to 10 s for them to go, SIGKILL to the rest. */
  private static void stopAll() {
    LIVE.forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Process p : LIVE) {
      try {
        p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    LIVE.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
  }
}
