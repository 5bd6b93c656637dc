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

/** server-action, vm-action and scenario against a running daemon, found through ROOT/control.port. */
class ControlCommandsTest {
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

  @Test
  void scenarioRun_printsWhatItAppliedWhen_asJsonLines_untilDone() throws Exception {
    Path file = tmp.resolve("scenario.json");
    Files.writeString(file, """
        {"seed": 1, "steps": [
          {"at_s": 0.2, "select": {"count": 1}, "behaviour": {"heartbeat": {"mode": "stop"}}, "for_s": 0.5},
          {"at_s": 0.3, "select": {"all": true}, "action": "restart-agent"}]}""");
    var before = daemon.fleet().running().get(cn).cnAgent();

    CliRunner.Result r = CliRunner.run("scenario", "run", file.toString(), "--root", root.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    var lines = r.out().lines().map(l -> Json.parseObject(l.getBytes())).toList();
    assertThat(lines).extracting(l -> l.get("event") + (l.containsKey("step") ? " " + l.get("step") : ""))
        .containsExactly("started", "applied 0", "applied 1", "ended 0", "done");
    assertThat(((Number) lines.get(1).get("t_ms")).longValue()).isBetween(200L, 2_000L);
    assertThat(((Number) lines.get(3).get("t_ms")).longValue()).isGreaterThanOrEqualTo(700L);
    assertThat(lines.get(1)).containsEntry("servers", 1).containsEntry("uuids", java.util.List.of(cn.toString()));
    assertThat(daemon.fleet().running().get(cn).cnAgent()).isNotSameAs(before);
    assertThat(daemon.fleet().behaviours().effectiveDocument(cn)).isEmpty();
  }

  @Test
  void scenario_aBadFileIsRefused_andOneAtATime() throws Exception {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"steps\": [{\"at_s\": 1, \"select\": {\"percent\": 200}, \"action\": \"reboot\"}]}");
    CliRunner.Result refused = CliRunner.run("scenario", "run", bad.toString(), "--root", root.toString());
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("steps[0].select.percent: must be a number from 0 to 100");

    Path slow = tmp.resolve("slow.json");
    Files.writeString(slow, "{\"steps\": [{\"at_s\": 3600, \"select\": {\"all\": true}, \"action\": \"reboot\"}]}");
    CliRunner.Result detached = CliRunner.run("scenario", "run", slow.toString(), "--detach", "--root", root.toString());
    assertThat(detached.exit()).as(detached.err()).isZero();
    String id = (String) Json.parseObject(detached.out().trim().getBytes()).get("id");
    CliRunner.Result second = CliRunner.run("scenario", "run", slow.toString(), "--root", root.toString());
    assertThat(second.exit()).isEqualTo(2);
    assertThat(second.err()).contains("is running: stop it first");

    CliRunner.Result stopped = CliRunner.run("scenario", "stop", id, "--root", root.toString());
    assertThat(Json.parseObject(stopped.out().trim().getBytes())).containsEntry("state", "stopped");
    CliRunner.Result status = CliRunner.run("scenario", "status", id, "--root", root.toString());
    assertThat(status.out()).contains("\"event\":\"stopped\"");
    assertThat(daemon.fleet().running()).containsKey(cn);
  }
}
