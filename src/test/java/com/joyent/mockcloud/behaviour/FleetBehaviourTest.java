package com.joyent.mockcloud.behaviour;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.behaviour.Behaviour.HeartbeatMode;
import com.joyent.mockcloud.behaviour.CnBehaviour.TaskPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files on disk: the fleet's and a CN's, merged, read again when they change, a bad one ignored. */
class FleetBehaviourTest {
  @TempDir Path root;
  private final UUID uuid = UUID.randomUUID();
  private Path serverDir;
  private long mtime = System.currentTimeMillis() - 60_000;

  @BeforeEach
  void setUp() throws Exception {
    serverDir = Files.createDirectories(root.resolve("servers").resolve(uuid.toString()));
  }

  /** Writes a file with an mtime of its own, so a rewrite within the same millisecond is seen. */
  private void write(Path file, String json) throws Exception {
    Files.writeString(file, json);
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime += 1_000));
  }

  private FleetBehaviour fleet() {
    return new FleetBehaviour(root, new BehaviourParser(Set.of("machine_create", "nop")::contains));
  }

  @Test
  void noFiles_anIdealCn() {
    CnBehaviour b = fleet().open(uuid, serverDir);
    assertThat(b.current()).isEqualTo(Behaviour.IDEAL);
    assertThat(b.planTask("machine_create")).isEqualTo(TaskPlan.AT_ONCE);
  }

  @Test
  void theFleetsFile_thenTheCnsOverIt_thenEachRemoved() throws Exception {
    write(root.resolve("behaviour.json"), "{\"heartbeat\": {\"mode\": \"stop\"}, \"tasks\": {\"nop\": {\"latency_ms\": 7}}}");
    FleetBehaviour fleet = fleet();
    CnBehaviour b = fleet.open(uuid, serverDir);
    assertThat(b.current().heartbeat().mode()).isEqualTo(HeartbeatMode.STOP);

    write(serverDir.resolve("behaviour.json"), "{\"heartbeat\": {\"mode\": \"normal\"}}");
    fleet.checkCnFile(uuid);
    assertThat(b.current().heartbeat().mode()).isEqualTo(HeartbeatMode.NORMAL);
    assertThat(b.current().task("nop").latencyMinMs()).isEqualTo(7); // still the fleet's

    Files.delete(serverDir.resolve("behaviour.json"));
    fleet.checkCnFile(uuid);
    assertThat(b.current().heartbeat().mode()).isEqualTo(HeartbeatMode.STOP);

    Files.delete(root.resolve("behaviour.json"));
    fleet.checkFleetFile();
    assertThat(b.current()).isEqualTo(Behaviour.IDEAL);
  }

  @Test
  void aBadFile_changesNothing_andTheNextGoodOneApplies() throws Exception {
    FleetBehaviour fleet = fleet();
    CnBehaviour b = fleet.open(uuid, serverDir);
    write(serverDir.resolve("behaviour.json"), "{\"status_reports\": {\"mode\": \"stop\"}}");
    fleet.checkCnFile(uuid);
    assertThat(b.statusReportsStopped()).isTrue();

    write(serverDir.resolve("behaviour.json"), "{\"status_reports\": {\"mode\": \"stop\"");
    fleet.checkCnFile(uuid);
    assertThat(b.statusReportsStopped()).as("not JSON: the behaviour before it stays").isTrue();
    write(serverDir.resolve("behaviour.json"), "{\"status_report\": {\"mode\": \"normal\"}}");
    fleet.checkCnFile(uuid);
    assertThat(b.statusReportsStopped()).as("an unknown key: the behaviour before it stays").isTrue();

    write(serverDir.resolve("behaviour.json"), "{\"status_reports\": {\"mode\": \"normal\"}}");
    fleet.checkCnFile(uuid);
    assertThat(b.statusReportsStopped()).isFalse();
  }

  /** {@code echo ... > file} truncates first: an empty file is one being written, and changes nothing. */
  @Test
  void anEmptyFile_isOneBeingWritten_theBehaviourBeforeStays_andEachChangeIsTold() throws Exception {
    List<String> told = new ArrayList<>();
    FleetBehaviour fleet = new FleetBehaviour(root, new BehaviourParser(Set.of("nop")::contains),
        (cn, b) -> told.add(cn + " " + b.listener()));
    CnBehaviour b = fleet.open(uuid, serverDir);
    write(serverDir.resolve("behaviour.json"), "{\"listener\": {\"mode\": \"refuse\"}}");
    fleet.checkCnFile(uuid);
    write(serverDir.resolve("behaviour.json"), "");
    fleet.checkCnFile(uuid);
    assertThat(b.current().listener()).isEqualTo(Behaviour.ListenerMode.REFUSE);

    write(serverDir.resolve("behaviour.json"), "{\"listener\": {\"mode\": \"hang\"}}");
    fleet.checkCnFile(uuid);
    assertThat(b.current().listener()).isEqualTo(Behaviour.ListenerMode.HANG);
    assertThat(told).containsExactly(uuid + " REFUSE", uuid + " HANG");
  }

  /** A fleet-wide profile costs one Behaviour for the fleet: CNs without a file of their own share it. */
  @Test
  void cnsWithoutAFileOfTheirOwn_shareTheFleetsBehaviour() throws Exception {
    write(root.resolve("behaviour.json"), "{\"tasks\": {\"nop\": {\"latency_ms\": 7}}}");
    FleetBehaviour fleet = fleet();
    Path otherDir = Files.createDirectories(root.resolve("servers").resolve(UUID.randomUUID().toString()));
    CnBehaviour a = fleet.open(uuid, serverDir);
    CnBehaviour b = fleet.open(UUID.randomUUID(), otherDir);
    assertThat(a.current()).isSameAs(b.current());
    assertThat(a.current().task("nop").latencyMinMs()).isEqualTo(7);

    write(serverDir.resolve("behaviour.json"), "{\"seed\": 3}");
    fleet.checkCnFile(uuid);
    assertThat(a.current()).isNotSameAs(b.current());
    assertThat(a.current().task("nop").latencyMinMs()).isEqualTo(7);
    assertThat(a.current().seed()).isEqualTo(3L);
  }

  @Test
  void anUnchangedFile_isNotAppliedAgain_soSeededChoicesGoOn() throws Exception {
    write(serverDir.resolve("behaviour.json"), "{\"seed\": 7, \"tasks\": {\"nop\": {\"fail_rate\": 0.5}}}");
    FleetBehaviour fleet = fleet();
    CnBehaviour b = fleet.open(uuid, serverDir);
    List<Boolean> first = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(b.planTask("nop").fail());
      fleet.checkCnFile(uuid); // nothing changed: the sequence is not restarted
    }
    assertThat(first).contains(true, false);
    List<Boolean> again = new ArrayList<>();
    write(serverDir.resolve("behaviour.json"), "{\"seed\": 7, \"tasks\": {\"nop\": {\"fail_rate\": 0.5}}}");
    fleet.checkCnFile(uuid); // written again: the same seed starts the same sequence
    for (int i = 0; i < 20; i++) {
      again.add(b.planTask("nop").fail());
    }
    assertThat(again).isEqualTo(first);
  }

  @Test
  void aHeldTask_isLetGo_whenTheBehaviourChanges() throws Exception {
    FleetBehaviour fleet = fleet();
    CnBehaviour b = fleet.open(uuid, serverDir);
    CompletableFuture<Void> held = b.untilChanged();
    assertThat(b.held()).isEqualTo(1);
    write(serverDir.resolve("behaviour.json"), "{\"tasks\": {\"nop\": {\"latency_ms\": 1}}}");
    fleet.checkCnFile(uuid);
    assertThat(held).isDone();
    assertThat(b.held()).isZero();
  }
}
