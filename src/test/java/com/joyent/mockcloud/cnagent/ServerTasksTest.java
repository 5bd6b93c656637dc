package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.MachineLifecycleTaskTest.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance cases 58–65 of spec cn-agent.md §7: server_sysinfo, server_reboot,
 * server_update_nics, command_execute, image_ensure_present, recovery_config. A fresh CN per
 * test (these tasks rewrite sysinfo.json); status reports every second.
 */
class ServerTasksTest {
  static final String DNET1_MAC = "00:10:fe:00:00:02";

  @TempDir Path tmp;
  CnAgentHarness cn;

  @BeforeEach
  void setUp() throws Exception {
    cn = new CnAgentHarness(tmp, new RecordingCnapi(),
        CnAgentHarness.fastOptions(tmp, Duration.ofSeconds(5), Duration.ofSeconds(1))).awaitRegistered();
  }

  @AfterEach
  void tearDown() {
    cn.close();
  }

  /** sysinfo.json plus the agent address, as the tasks and the registration add it. */
  Map<String, Object> sysinfoWithAgentAddress() throws Exception {
    Map<String, Object> s = new LinkedHashMap<>(cn.dir.readSysinfo());
    s.put("CN Agent Port", cn.agent.port());
    s.put("CN Agent IP", "127.0.0.1");
    return s;
  }

  List<RecordingCnapi.Received> sysinfoPosts() {
    return cn.cnapi.received(r -> r.path().equals("/servers/" + cn.uuid() + "/sysinfo"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> iface(Map<String, Object> sysinfo, String name) {
    return (Map<String, Object>) ((Map<String, Object>) sysinfo.get("Network Interfaces")).get(name);
  }

  @Test
  void serverSysinfo_answersTheFileWithTheAgentAddressAppended() throws Exception {
    CnAgentHarness.Answer a = cn.call("server_sysinfo", Map.of());

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{\"sysinfo\":" + Json.compact(sysinfoWithAgentAddress()) + "}");
    assertThat(a.body()).endsWith(",\"CN Agent Port\":" + cn.agent.port() + ",\"CN Agent IP\":\"127.0.0.1\"}}");
  }

  @Test
  void serverReboot_rewritesBootTime_reRegisters_andNextStatusCarriesIt() throws Exception {
    // An old Boot Time first, so the reboot visibly changes it.
    Map<String, Object> old = new LinkedHashMap<>(cn.dir.readSysinfo());
    old.put("Boot Time", "1563412345");
    cn.dir.writeSysinfo(old, 4);
    assertThat(Await.until(Duration.ofSeconds(5), () -> sysinfoPosts().stream()
        .anyMatch(r -> r.body().toString().contains("Boot Time=1563412345")))).isTrue();
    long before = Instant.now().getEpochSecond();
    cn.cnapi.clear();

    CnAgentHarness.Answer a = cn.call("server_reboot", Map.of());

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
    String file = Files.readString(cn.dir.sysinfoFile(), StandardCharsets.UTF_8);
    assertThat(file).startsWith("{\n  \"System Type\": \"Virtual\",\n").endsWith("}\n");
    Map<String, Object> now = Json.parseObject(file);
    assertThat(now.get("Boot Time")).isInstanceOf(String.class);
    String bootTime = (String) now.get("Boot Time");
    assertThat(Long.parseLong(bootTime)).isGreaterThanOrEqualTo(before);
    // Quirk kept (§3.2.16): the rewritten file also holds the agent address.
    assertThat(now).containsEntry("CN Agent Port", cn.agent.port()).containsEntry("CN Agent IP", "127.0.0.1");
    assertThat(Await.until(Duration.ofSeconds(5), () -> sysinfoPosts().stream()
        .anyMatch(r -> r.body().toString().contains("Boot Time=" + bootTime)))).isTrue();
    String iso = JsValues.isoString(Instant.ofEpochSecond(Long.parseLong(bootTime)));
    assertThat(Await.until(Duration.ofSeconds(5), () -> cn.cnapi.received(
            r -> r.path().endsWith("/events/status")).stream()
        .anyMatch(r -> iso.equals(((Map<?, ?>) r.body()).get("boot_time"))))).isTrue();
  }

  @Test
  void serverUpdateNics_knownMac_setsNicNamesPersistsAndReRegisters() throws Exception {
    cn.cnapi.clear();
    Map<String, Object> nic = params("mac", DNET1_MAC, "nic_tags_provided", List.of("external"),
        "belongs_to_type", "server");

    CnAgentHarness.Answer a = cn.call("server_update_nics", params("nics", List.of(nic)));

    assertThat(a.status()).isEqualTo(200);
    @SuppressWarnings("unchecked")
    Map<String, Object> answered = (Map<String, Object>) a.json().get("sysinfo");
    assertThat(iface(answered, "dnet1")).containsEntry("NIC Names", List.of("external"));
    assertThat(iface(answered, "dnet0")).containsEntry("NIC Names", List.of("admin"));
    assertThat(iface(cn.dir.readSysinfo(), "dnet1")).containsEntry("NIC Names", List.of("external"));
    assertThat(Files.readString(cn.dir.sysinfoFile())).startsWith("{\n  \"");
    assertThat(Await.until(Duration.ofSeconds(5), () -> sysinfoPosts().stream()
        .anyMatch(r -> r.body().toString().contains("NIC Names=[external]")))).isTrue();
  }

  @Test
  void serverUpdateNics_unknownMac_changesNothing() throws Exception {
    Path file = cn.dir.sysinfoFile();
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    FileTime mtime = Files.getLastModifiedTime(file);
    byte[] content = Files.readAllBytes(file);
    Map<String, Object> expected = sysinfoWithAgentAddress();

    CnAgentHarness.Answer a = cn.call("server_update_nics",
        params("nics", List.of(params("mac", "00:10:fe:ff:ff:ff", "nic_tags_provided", List.of("external")))));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{\"sysinfo\":" + Json.compact(expected) + "}");
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(mtime);
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
  }

  @Test
  void serverUpdateNics_withoutNics_crashes() throws Exception {
    CnAgentHarness.Answer a = cn.call("server_update_nics", Map.of());

    assertThat(a.status()).isEqualTo(500);
    assertThat((String) a.json().get("error"))
        .matches("^Child task process server_update_nics did not terminate cleanly\\. \\(.*\\)$");
  }

  @Test
  void commandExecute_withScript_answersTheFixedNotImplementedResult() throws Exception {
    CnAgentHarness.Answer a = cn.call("command_execute", Map.of("script", "#!/bin/bash\nuptime\n"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{\"err\":{\"jse_shortmsg\":\"command_execute not implemented for mockcloud "
        + "servers\",\"jse_info\":{},\"message\":\"command_execute not implemented for mockcloud servers\"},"
        + "\"exitCode\":666,\"signal\":null,\"stderr\":\"cn-agent: command_execute not implemented for mockcloud "
        + "servers\\n\",\"stdout\":\"\"}");
  }

  @Test
  void commandExecute_withoutScript_crashes() throws Exception {
    CnAgentHarness.Answer a = cn.call("command_execute", Map.of());

    assertThat(a.status()).isEqualTo(500);
    assertThat(a.json()).containsOnlyKeys("error");
    assertThat((String) a.json().get("error"))
        .matches("^Child task process command_execute did not terminate cleanly\\. \\(.*\\)$");
  }

  @Test
  void imageEnsurePresent_anyImage_answersEmptyObject() throws Exception {
    CnAgentHarness.Answer a = cn.call("image_ensure_present",
        Map.of("image_uuid", "2b683a82-a066-11e3-97ab-2faa44701c5a"));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
  }

  @Test
  void recoveryConfig_badParams_failWithTheReferenceMessagesInOrder() throws Exception {
    CnAgentHarness.Answer none = cn.call("recovery_config", Map.of());
    CnAgentHarness.Answer badAction = cn.call("recovery_config",
        params("action", "x", "pivtoken", "p", "recovery_uuid", "r"));
    CnAgentHarness.Answer noTemplate = cn.call("recovery_config",
        params("action", "stage", "pivtoken", "p", "recovery_uuid", "r"));

    assertThat(none.status()).isEqualTo(500);
    assertThat(none.body())
        .isEqualTo("{\"error\":\"Recovery Configuration error: Missing required request parameters\"}");
    assertThat(badAction.body())
        .isEqualTo("{\"error\":\"Recovery Configuration error: Invalid value for action parameter\"}");
    assertThat(noTemplate.body())
        .isEqualTo("{\"error\":\"Recovery Configuration error: Missing template request parameter\"}");
  }
}
