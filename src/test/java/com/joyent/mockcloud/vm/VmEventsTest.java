package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 B36–B42, B44: the event stream, for the store's own writes and for hand edits. */
class VmEventsTest {
  @TempDir Path root;
  VmFixtures fx;
  RecordingListener events = new RecordingListener();
  Subscription sub;

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root);
    sub = fx.vms.subscribe(events);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** B37. */
  @Test
  void create_emitsOneCreateEventWithFullView() {
    String uuid = fx.createMinimal();

    assertThat(events.events()).hasSize(1);
    VmEvent e = events.events().get(0);
    assertThat(e.type()).isEqualTo(VmEvent.Type.CREATE);
    assertThat(e.zonename()).isEqualTo(uuid);
    assertThat(e.vm()).isEqualTo(fx.vms.load(uuid));
    assertThat(e.id()).endsWith(".create.0");
    assertThat(e.toWire()).containsOnlyKeys("type", "vm", "zonename", "id");
  }

  /** B38. */
  @Test
  void stop_emitsModifyWithStateAndAutobootChanges() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.stop(uuid);

    VmEvent e = events.events().get(0);
    assertThat(e.type()).isEqualTo(VmEvent.Type.MODIFY);
    assertThat(RecordingListener.change(e, "state")).isEqualTo(Map.of("prettyPath", "state",
        "path", List.of("state"), "action", "changed", "oldValue", "running", "newValue", "stopped"));
    assertThat(RecordingListener.change(e, "autoboot")).containsEntry("oldValue", true).containsEntry("newValue", false);
    assertThat(e.vm()).containsEntry("state", "stopped");
    assertThat(e.toWire()).containsKeys("changes", "type", "vm", "zonename", "id");
  }

  /** B39. */
  @Test
  void delete_emitsDeleteWithLastViewAndEmptyWireVm() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.delete(uuid);

    VmEvent e = events.events().get(0);
    assertThat(e.type()).isEqualTo(VmEvent.Type.DELETE);
    assertThat(e.vm()).containsEntry("uuid", uuid).containsEntry("state", "running");
    assertThat(e.toWire()).containsEntry("vm", Map.of()).containsEntry("type", "delete").containsEntry("zonename", uuid);
    assertThat(fx.vms.exists(uuid)).isFalse();
  }

  /** B40. */
  @Test
  void addAndModifyNic_changesUnderNicsStar() {
    String uuid = fx.createMinimal();
    events.clear();

    fx.vms.update(uuid, Map.of("add_nics", List.of(VmFixtures.nic("90:b8:d0:00:00:02", "10.0.0.5", false))));
    assertThat(events.events().get(0).changes()).filteredOn(c -> c.prettyPath().equals("nics.*"))
        .extracting(VmChange::action).containsExactly("added");
    assertThat(events.events().get(0).changes()).filteredOn(c -> c.prettyPath().equals("nics.*"))
        .first().satisfies(c -> assertThat(c.path()).containsExactly("nics", null));

    events.clear();
    fx.vms.update(uuid, Map.of("update_nics", List.of(Map.of("mac", "90:b8:d0:00:00:02", "mtu", 9000))));
    assertThat(events.events().get(0).changes()).filteredOn(c -> c.prettyPath().equals("nics.*"))
        .extracting(VmChange::action).containsExactly("removed", "added");
  }

  /** B41. */
  @Test
  void setTagWithDots_prettyPathBracketed() {
    String uuid = fx.createMinimal();
    events.clear();
    fx.vms.update(uuid, Map.of("set_tags", Map.of("docker:label:com.docker.blah", "x")));
    assertThat(events.events().get(0).changes()).extracting(VmChange::prettyPath)
        .contains("tags[docker:label:com.docker.blah]");
  }

  /** B42, B36. */
  @Test
  void eventIds_countUpByOnePerServer() {
    assertThat(fx.vms.lastEventId()).isNull();
    String uuid = fx.createMinimal();
    fx.vms.stop(uuid);
    fx.vms.start(uuid);
    fx.vms.delete(uuid);

    List<String> ids = events.events().stream().map(VmEvent::id).toList();
    assertThat(ids).hasSize(4);
    String prefix = ids.get(0).substring(0, ids.get(0).indexOf(".create."));
    assertThat(prefix).matches("\\d+\\.\\d+");
    assertThat(ids).containsExactly(prefix + ".create.0", prefix + ".modify.1", prefix + ".modify.2", prefix + ".delete.3");
    assertThat(fx.vms.lastEventId()).isEqualTo(prefix + ".delete.3");

    ServerVms other = fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2),
        new ServerIdentity(VmFixtures.S2, "testdc", "x"));
    other.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
    assertThat(other.lastEventId()).isEqualTo(prefix + ".create.0"); // the counter is per server
  }

  /** B44. */
  @Test
  void readYourWrites_viewReflectsWriteWhenCallReturns() {
    String uuid = fx.createMinimal();
    fx.vms.update(uuid, Map.of("alias", "fresh"));
    assertThat(fx.vms.load(uuid)).containsEntry("alias", "fresh");
    assertThat(fx.vms.vms().get(uuid)).containsEntry("alias", "fresh");
  }

  @Test
  void subscribe_returnsReadySnapshot_closeStopsEvents() {
    String uuid = fx.createMinimal();
    RecordingListener late = new RecordingListener();
    Subscription s = fx.vms.subscribe(late);
    assertThat(s.initialVms()).containsOnlyKeys(uuid);
    assertThat(s.readyDate()).endsWith("Z");

    s.close();
    fx.vms.stop(uuid);
    assertThat(late.events()).isEmpty();
  }

  @Test
  void failingListener_doesNotStopOthersOrTheStore() {
    fx.vms.subscribe(e -> {
      throw new IllegalStateException("boom");
    });
    String uuid = fx.createMinimal();
    fx.vms.stop(uuid);
    assertThat(events.events()).hasSize(2);
  }

  @Test
  void events_deliveredOnExecutorInOrder_notOnWriterStack() {
    List<Runnable> queued = new ArrayList<>();
    Executor recording = queued::add;
    try (VmStore store = VmStore.builder().executor(recording).clock(fx.clock)
        .watchMode(VmStore.WatchMode.OFF).build()) {
      ServerVms vms = store.openServer(VmFixtures.S2, root.resolve("s2"),
          new ServerIdentity(VmFixtures.S2, "testdc", "x"));
      RecordingListener l = new RecordingListener();
      vms.subscribe(l);
      String uuid = vms.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
      vms.reboot(uuid);

      assertThat(l.events()).isEmpty(); // nothing delivered on the writer's thread
      assertThat(queued).hasSize(1); // one drain task per server, not one per event
      queued.remove(0).run();
      assertThat(l.events()).extracting(e -> e.type() + ":" + e.vm().get("state"))
          .containsExactly("CREATE:running", "MODIFY:shutting_down", "MODIFY:stopped", "MODIFY:running");
    }
  }

  @Test
  void handEdit_rescanEmitsModifyWithChanges() throws Exception {
    String uuid = fx.createMinimal();
    events.clear();
    Map<String, Object> obj = fx.onDisk(uuid);
    obj.put("alias", "edited-by-hand");
    Path tmp = fx.file(uuid).resolveSibling("edit.tmp");
    Files.write(tmp, Json.prettyBytes(obj, 2));
    Files.move(tmp, fx.file(uuid), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    fx.vms.rescan();

    assertThat(events.events()).hasSize(1);
    assertThat(events.changeSummary()).contains("alias:changed:testvm->edited-by-hand");
    assertThat(fx.vms.load(uuid)).containsEntry("alias", "edited-by-hand");
    fx.vms.rescan();
    assertThat(events.events()).hasSize(1); // nothing new
  }

  @Test
  void handCreateAndDelete_rescanEmitsCreateAndDelete() throws Exception {
    String uuid = VmFixtures.newUuid();
    Map<String, Object> obj = VmFixtures.minimalPayload(uuid);
    obj.put("state", "running");
    Files.write(fx.file(uuid), Json.prettyBytes(obj, 2));

    fx.vms.rescan();
    Files.delete(fx.file(uuid));
    fx.vms.rescan();

    assertThat(events.events()).extracting(VmEvent::type).containsExactly(VmEvent.Type.CREATE, VmEvent.Type.DELETE);
    assertThat(fx.vms.exists(uuid)).isFalse();
  }

  @Test
  void rescan_emitsCreatesThenDeletesThenModifies() throws Exception {
    String edited = fx.createMinimal();
    String deleted = fx.createMinimal();
    String created = VmFixtures.newUuid();
    events.clear();
    Map<String, Object> obj = fx.onDisk(edited);
    obj.put("alias", "x");
    Files.write(fx.file(edited), Json.prettyBytes(obj, 2));
    Files.delete(fx.file(deleted));
    Files.write(fx.file(created), Json.prettyBytes(VmFixtures.minimalPayload(created), 2));

    fx.vms.rescan();

    assertThat(events.events()).extracting(e -> e.type() + ":" + e.zonename()).containsExactly(
        "CREATE:" + created, "DELETE:" + deleted, "MODIFY:" + edited);
  }

  @Test
  void ownWrites_rescanSeesNothingNew() {
    String uuid = fx.createMinimal();
    fx.vms.reboot(uuid);
    events.clear();
    fx.vms.rescan();
    assertThat(events.events()).isEmpty();
  }
}
