package com.joyent.mockcloud.cnagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code <tmp>/machine-provision-<vm uuid>} (spec cn-agent.md §3.1.7): machine_create and
 * machine_reprovision hold it while they work; machine_destroy waits for it to go away,
 * polling each second on the shared scheduler, for at most 10 minutes after the file's
 * creation, then removes it and goes on.
 */
final class ProvisionLock {
  private ProvisionLock() {}

  static Path path(CnContext cn, String vmUuid) {
    return cn.options().tmpDir().resolve("machine-provision-" + vmUuid);
  }

  static void create(CnContext cn, String vmUuid) throws IOException {
    Files.createDirectories(cn.options().tmpDir());
    Path p = path(cn, vmUuid);
    if (!Files.exists(p)) {
      Files.createFile(p);
    }
  }

  static void remove(CnContext cn, String vmUuid) {
    try {
      Files.deleteIfExists(path(cn, vmUuid));
    } catch (IOException ignored) {
      // A lock left behind only delays a later destroy, which gives up after 10 minutes.
    }
  }

  /** Completes when no lock is held (or it is stale and was removed). */
  static CompletableFuture<Void> awaitReleased(CnContext cn, String vmUuid) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    check(cn, vmUuid, done);
    return done;
  }

  private static void check(CnContext cn, String vmUuid, CompletableFuture<Void> done) {
    Path p = path(cn, vmUuid);
    try {
      Instant created = Files.readAttributes(p, BasicFileAttributes.class).creationTime().toInstant();
      if (cn.clock().instant().isAfter(created.plus(cn.options().provisionLockMaxWait()))) {
        remove(cn, vmUuid);
        done.complete(null);
        return;
      }
    } catch (NoSuchFileException e) {
      done.complete(null);
      return;
    } catch (IOException e) {
      done.complete(null);
      return;
    }
    cn.timer().schedule(() -> check(cn, vmUuid, done), cn.options().provisionLockPoll().toMillis(),
        TimeUnit.MILLISECONDS);
  }
}
