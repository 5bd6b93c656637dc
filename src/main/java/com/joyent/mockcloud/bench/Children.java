package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.cli.Main;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts this jar again in child JVMs (the receiver, run-servers) and stops them. */
final class Children {
  private Children() {}

  static Path jar() {
    try {
      Path p = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
    return pb.start();
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  static int stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    return p.exitValue();
  }
}
