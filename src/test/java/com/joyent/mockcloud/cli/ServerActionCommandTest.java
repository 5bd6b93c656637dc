package com.joyent.mockcloud.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.fleet.Daemon;
import com.joyent.mockcloud.fleet.DaemonOptions;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server-action against a running daemon, found through ROOT/control.port. */
class ServerActionCommandTest {
  @TempDir Path tmp;
  private WireMockServer cnapi;
  private Daemon daemon;
  private Path root;
  private UUID cn;

  @BeforeEach
  void setUp() throws Exception {
    cnapi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    cnapi.start();
    cnapi.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(204)));
    root = tmp.resolve("mc");
    cn = UUID.randomUUID();
    ServerDirectory d = new ServerRoot(root).directoryOf(cn);
    Files.createDirectories(d.vmsDir());
    StandardAgents.install(d.agentsDir());
    d.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(cn, Sysinfo.defaultHostname(cn), "coal", "10.99.99.9",
        "00:10:fe:00:00:01", "00:10:fe:00:00:02", "20190718T003512Z", Instant.now(), HardwareProfile.SMALL),
        new Random()), 4);
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.toString());
    flags.put(Setting.CNAPI_URL, cnapi.baseUrl());
    flags.put(Setting.VMAPI_URL, cnapi.baseUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    daemon = new Daemon(settings, DaemonOptions.ephemeral(CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp"))))
        .start();
  }

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.close();
    }
    cnapi.stop();
  }

  @Test
  void reboot_thenPowerOn_printOneJsonLineEach_foundThroughTheRoot() throws Exception {
    assertThat(Files.readString(root.resolve("control.port")).trim()).isEqualTo(String.valueOf(daemon.control().port()));

    CliRunner.Result reboot = CliRunner.run("server-action", "reboot", cn.toString(), "--root", root.toString(),
        "--down-seconds", "600");

    assertThat(reboot.exit()).as(reboot.err()).isZero();
    assertThat(Json.parseObject(reboot.out().trim().getBytes())).containsEntry("uuid", cn.toString())
        .containsEntry("action", "reboot").containsEntry("state", "rebooting");
    assertThat(daemon.fleet().running()).doesNotContainKey(cn);

    CliRunner.Result on = CliRunner.run("server-action", "power-on", cn.toString(), "--root", root.toString());
    assertThat(on.exit()).as(on.err()).isZero();
    assertThat(Json.parseObject(on.out().trim().getBytes())).containsEntry("state", "running");
    Await.require(Duration.ofSeconds(5), () -> daemon.fleet().running().containsKey(cn), "the CN running");
  }

  @Test
  void refusals_sayWhy_andChangeNothing() {
    UUID unknown = UUID.randomUUID();
    CliRunner.Result some = CliRunner.run("server-action", "power-on", cn.toString(), unknown.toString(), "--root",
        root.toString());
    assertThat(some.exit()).isEqualTo(1);
    assertThat(some.out().lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"error\""));
    assertThat(some.out()).contains("is running", unknown + " not found");

    assertThat(CliRunner.run("server-action", "explode", cn.toString(), "--root", root.toString()).exit()).isEqualTo(2);
    assertThat(CliRunner.run("server-action", "power-off", cn.toString(), "--root", root.toString(),
        "--down-seconds", "3").exit()).isEqualTo(2);
    CliRunner.Result noDaemon = CliRunner.run("server-action", "reboot", cn.toString(), "--root",
        tmp.resolve("elsewhere").toString());
    assertThat(noDaemon.exit()).isEqualTo(1);
    assertThat(noDaemon.err()).contains("control.port");
    assertThat(daemon.fleet().running()).containsKey(cn);
  }

  @Test
  void closingTheDaemon_removesItsControlPortFile() {
    daemon.close();
    daemon = null;
    assertThat(root.resolve("control.port")).doesNotExist();
  }

  @Test
  void vmAction_crashAndSetState_printTheVm_andRefuseBadArguments() throws Exception {
    String vm = UUID.randomUUID().toString();
    daemon.fleet().running().get(cn).vms().create(Map.of("uuid", vm, "brand", "joyent-minimal", "ram", 128));

    CliRunner.Result crash = CliRunner.run("vm-action", "crash", vm, "--exit-status", "9", "--root", root.toString());
    assertThat(crash.exit()).as(crash.err()).isZero();
    assertThat(Json.parseObject(crash.out().trim().getBytes())).containsEntry("uuid", vm)
        .containsEntry("state", "stopped").containsEntry("exit_status", 9);

    CliRunner.Result start = CliRunner.run("vm-action", "set-state", vm, "--state", "running", "--root",
        root.toString());
    assertThat(start.exit()).as(start.err()).isZero();
    assertThat(daemon.fleet().running().get(cn).vms().load(vm)).containsEntry("state", "running");

    assertThat(CliRunner.run("vm-action", "set-state", vm, "--state", "provisioning", "--root", root.toString())
        .exit()).isEqualTo(2);
    assertThat(CliRunner.run("vm-action", "crash", vm, "--exit-status", "256", "--root", root.toString()).exit())
        .isEqualTo(2);
    CliRunner.Result missing = CliRunner.run("vm-action", "crash", UUID.randomUUID().toString(), "--root",
        root.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.out()).contains("\"error\"", "no running mock CN has VM");
    assertThat(daemon.fleet().running().get(cn).vms().load(vm)).containsEntry("state", "running");
  }
}
