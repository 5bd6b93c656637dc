package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temp files of interrupted writes ({@code <uuid>.json.<pid>.<n>}) when a server's VMs are opened
 * (daemon start, CN start): a dead writer's go at once, a live foreign writer's stay.
 */
class VmStoreTempFilesTest {
  private static final long OWN_PID = ProcessHandle.current().pid();

  @TempDir Path root;
  private Process foreign;

  @AfterEach
  void stopForeignProcess() throws Exception {
    if (foreign != null) {
      foreign.destroyForcibly();
      foreign.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The pid of a process that has exited and been reaped: no live process has it. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "exit 0").start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    return p.pid();
  }

  /** A live process that is not this one (started before the temp files a test writes). */
  private long liveForeignPid() throws Exception {
    foreign = new ProcessBuilder("sleep", "60").start();
    return foreign.pid();
  }

  private static Path temp(Path vmsDir, String vm, long pid, long mtimeMillis) throws Exception {
    Path p = vmsDir.resolve(vm + ".json." + pid + ".1");
    Files.writeString(p, "{\"uuid\": \"" + vm + "\", \"partial");
    Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
    return p;
  }

  @Test
  void open_deadWritersTempFile_isRemovedAtOnceWhileALiveForeignWritersStays() throws Exception {
    Path vmsDir;
    String vm;
    try (VmFixtures fx = new VmFixtures(root)) {
      vm = fx.createMinimal();
      vmsDir = fx.file(vm).getParent();
    }
    long now = System.currentTimeMillis();
    Path deadWriters = temp(vmsDir, vm, deadPid(), now); // kill -9 a second ago, restart now
    Path liveWriters = temp(vmsDir, vm, liveForeignPid(), now);
    Path ourWrite = temp(vmsDir, vm, OWN_PID, now); // may be a write of ours in progress

    try (VmFixtures again = new VmFixtures(root)) {
      assertThat(deadWriters).doesNotExist();
      assertThat(liveWriters).exists();
      assertThat(ourWrite).exists();
      assertThat(again.vms.size()).isEqualTo(1);
      assertThat(again.onDisk(vm)).containsEntry("uuid", vm);
    }
  }

  @Test
  void open_liveForeignPidThatStartedAfterTheFile_isAReusedPidAndTheFileGoes() throws Exception {
    Path vmsDir = root.resolve("servers").resolve(VmFixtures.S).resolve("vms");
    Files.createDirectories(vmsDir);
    String vm = "0b5d8a4c-7f0e-4e5b-9c1d-2a3b4c5d6e7f";
    Path hourOld = temp(vmsDir, vm, liveForeignPid(), System.currentTimeMillis() - 3_600_000);

    try (VmFixtures fx = new VmFixtures(root)) {
      assertThat(hourOld).doesNotExist();
    }
  }

  @Test
  void open_ourPidOlderThanAMinute_isRemoved() throws Exception {
    Path vmsDir = root.resolve("servers").resolve(VmFixtures.S).resolve("vms");
    Files.createDirectories(vmsDir);
    Path old = temp(vmsDir, "0b5d8a4c-7f0e-4e5b-9c1d-2a3b4c5d6e7f", OWN_PID, System.currentTimeMillis() - 61_000);

    try (VmFixtures fx = new VmFixtures(root)) {
      assertThat(old).doesNotExist();
    }
  }

  @Test
  void ourPidFromBeforeThisProcessStarted_isAnEarlierRunsLeftover() {
    Instant started = Instant.now();
    // As in a container where the daemon is always pid 1: same pid, earlier run.
    LeftoverTempFiles judge = new LeftoverTempFiles(1, Optional.of(started));
    long now = started.toEpochMilli() + 5_000;

    assertThat(judge.isLeftover("a.json.1.7", started.toEpochMilli() - 10_000, now)).isTrue();
    assertThat(judge.isLeftover("a.json.1.8", started.toEpochMilli() + 1_000, now)).isFalse();
  }
}
