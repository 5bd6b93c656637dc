package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec §6 B31–B34, B43 at the API level: servers opened and closed at run time. */
class VmStoreServersTest {
  @TempDir Path root;
  VmFixtures fx;

  @BeforeEach
  void setUp() {
    fx = new VmFixtures(root);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** B31, B43. */
  @Test
  void openAndClose_changeTheServerList() {
    ServerVms s2 = fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2),
        new ServerIdentity(VmFixtures.S2, "testdc", "x"));
    assertThat(fx.store.serverUuids()).containsExactly(VmFixtures.S, VmFixtures.S2);
    assertThat(fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2), s2.identity())).isSameAs(s2);
    String uuid = s2.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));

    fx.store.closeServer(VmFixtures.S2);

    assertThat(fx.store.serverUuids()).containsExactly(VmFixtures.S);
    assertThat(fx.store.server(VmFixtures.S2)).isEmpty();
    assertThatThrownBy(() -> s2.load(uuid)).extracting(e -> ((VmException) e).restCode()).isEqualTo("VmNotFound");
    assertThat(fx.store.serverOfVm(uuid)).isEmpty();
  }

  /** B32, B33. */
  @Test
  void vms_returnsAugmentedViews_unknownVmIsNotFound() {
    String uuid = fx.createMinimal();
    assertThat(fx.store.server(VmFixtures.S)).isPresent();
    assertThat(fx.store.server(VmFixtures.S2)).isEmpty();
    assertThat(fx.vms.vms()).containsOnlyKeys(uuid);
    assertThat(fx.vms.vms().get(uuid)).containsEntry("zonename", uuid).containsEntry("datacenter_name", "testdc");
  }

  /** B34. */
  @Test
  void serverOfVm_findsVmOnAnyServer() {
    ServerVms s2 = fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2),
        new ServerIdentity(VmFixtures.S2, "testdc", "x"));
    String uuid = s2.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));

    assertThat(fx.store.serverOfVm(uuid)).containsSame(s2);
    assertThat(fx.store.serverOfVm(VmFixtures.newUuid())).isEmpty();
    assertThat(s2.load(uuid)).containsEntry("server_uuid", VmFixtures.S2);
  }

  @Test
  void openServer_identityMustMatch() {
    assertThatThrownBy(() -> fx.store.openServer(VmFixtures.S2, fx.serverDir(VmFixtures.S2), VmFixtures.IDENTITY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void serverIdentity_fromSysinfoFile_readsTheThreeValues() throws Exception {
    java.nio.file.Path f = root.resolve("sysinfo.json");
    java.nio.file.Files.writeString(f, "{\"UUID\": \"" + VmFixtures.S2 + "\", \"Datacenter Name\": \"coal\","
        + " \"Live Image\": \"20190718T003512Z\", \"Setup\": \"true\"}");
    assertThat(ServerIdentity.fromSysinfoFile(f)).isEqualTo(new ServerIdentity(VmFixtures.S2, "coal", "20190718T003512Z"));
    java.nio.file.Files.writeString(f, "{\"UUID\": 1}");
    assertThatThrownBy(() -> ServerIdentity.fromSysinfoFile(f)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void openServer_withoutIdentity_readsSysinfoJson() throws Exception {
    java.nio.file.Path dir = fx.serverDir(VmFixtures.S2);
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(dir.resolve("sysinfo.json"), "{\"UUID\": \"" + VmFixtures.S2
        + "\", \"Datacenter Name\": \"coal\", \"Live Image\": \"20190718T003512Z\"}");
    ServerVms s2 = fx.store.openServer(VmFixtures.S2, dir);
    String uuid = s2.create(VmFixtures.minimalPayload(VmFixtures.newUuid()));
    assertThat(s2.load(uuid)).containsEntry("datacenter_name", "coal").containsEntry("server_uuid", VmFixtures.S2);
    assertThatThrownBy(() -> fx.store.openServer(VmFixtures.S2.replace('8', '9'), root.resolve("nope")))
        .isInstanceOf(VmException.class);
  }

  @Test
  void serverIdentity_fromSysinfo_needsThreeStrings() {
    ServerIdentity id = ServerIdentity.fromSysinfo(Map.of("UUID", VmFixtures.S, "Datacenter Name", "coal",
        "Live Image", "20190718T003512Z", "Hostname", "x"));
    assertThat(id).isEqualTo(new ServerIdentity(VmFixtures.S, "coal", "20190718T003512Z"));
    assertThatThrownBy(() -> ServerIdentity.fromSysinfo(Map.of("UUID", VmFixtures.S)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
