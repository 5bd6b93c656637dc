package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CNAPI's server-update-nics and server-reboot workflows as jobs against a mock CN: 202
 * {job_uuid}, the job read from the workflow API (the sandbox VMAPI's /jobs), the NIC tags in
 * NAPI, in the CN's sysinfo and so in CNAPI, where a VMAPI provision on the new tag then lands.
 */
class CnapiServerJobsEndToEndTest {
  @TempDir Path tmp;
  private SandboxFleet fleet;
  private Sandbox sandbox;
  private VmapiCalls calls;
  private String cnapi;
  private UUID server;

  @BeforeEach
  void setUp() throws Exception {
    fleet = new SandboxFleet(tmp);
    sandbox = fleet.sandbox;
    calls = new VmapiCalls(sandbox.vmapiUrl(), sandbox.adminUuid());
    cnapi = sandbox.cnapiUrl();
    server = fleet.createServer();
    fleet.start();
    fleet.awaitHeartbeat(server);
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  @SuppressWarnings("unchecked")
  private List<String> sysinfoTags(String mac) throws Exception {
    Map<String, Object> s = calls.send("GET", cnapi + "/servers/" + server, null).object();
    Map<String, Object> ifaces = (Map<String, Object>) ((Map<String, Object>) s.get("sysinfo")).get("Network Interfaces");
    return ifaces.values().stream().map(v -> (Map<String, Object>) v).filter(n -> mac.equals(n.get("MAC Address")))
        .map(n -> (List<String>) n.get("NIC Names")).findFirst().orElseThrow();
  }

  private Map<String, Object> serverJob(String method, String path, Object body) throws Exception {
    VmapiCalls.Reply r = calls.send(method, cnapi + path, body);
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(202);
    assertThat(r.object()).containsOnlyKeys("job_uuid");
    return calls.finished((String) r.object().get("job_uuid"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void updateNics_addsAndDeletesTags_inNapiAndTheCnsSysinfo() throws Exception {
    // net-agent claims the admin NIC booter created for the admin user, as on a real CN.
    java.util.function.Predicate<Map<String, Object>> admin = n -> n.get("nic_tags_provided") instanceof List<?> l
        && l.contains("admin");
    Await.require(Duration.ofSeconds(20), () -> !sandbox.napi().nics().list(Set.of(server.toString()), admin)
        .isEmpty(), "net-agent to claim the admin NIC");
    Map<String, Object> adminNic = sandbox.napi().nics().list(Set.of(server.toString()), admin).get(0);
    String mac = (String) adminNic.get("mac");
    assertThat(sysinfoTags(mac)).containsExactly("admin");
    Map<String, Object> external = calls.createBody("ext");
    external.put("networks", List.of("external"));
    VmapiCalls.Reply refused = calls.send("POST", "/vms", external);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.object()).containsEntry("code", "NoAllocatableServersError");

    Map<String, Object> job = serverJob("PUT", "/servers/" + server + "/nics",
        Map.of("action", "update", "nics", List.of(Map.of("mac", mac, "nic_tags_provided", List.of("external")))));
    assertThat(job).containsEntry("name", "server-update-nics-1.0.1").containsEntry("execution", "succeeded")
        .containsEntry("timeout", 7200);
    assertThat(VmapiCalls.names(job)).containsExactly("cnapi.validate_params", "napi.validate_nic_params",
        "napi.get_current_nics", "napi.apply_nic_updates", "napi.update_nics", "cnapi.update_nics",
        "cnapi.poll_tasks", "cnapi.refresh_server_sysinfo");
    assertThat(((List<Map<String, Object>>) job.get("chain_results")).get(3)).containsEntry("result",
        "applied nic updates");
    assertThat((Map<String, Object>) job.get("params")).containsEntry("nic_action", "update")
        .containsEntry("server_uuid", server.toString());
    assertThat(sandbox.napi().nics().find(mac).get("nic_tags_provided")).isEqualTo(List.of("admin", "external"));
    assertThat(sysinfoTags(mac)).containsExactly("admin", "external");

    String vm = calls.provision(external);
    assertThat(calls.vm(vm)).containsEntry("server_uuid", server.toString());

    Map<String, Object> removed = serverJob("PUT", "/servers/" + server + "/nics",
        Map.of("action", "delete", "nics", List.of(Map.of("mac", mac, "nic_tags_provided", List.of("external")))));
    assertThat(removed).containsEntry("execution", "succeeded");
    assertThat(sysinfoTags(mac)).containsExactly("admin");
    assertThat(sandbox.napi().nics().find(mac).get("nic_tags_provided")).isEqualTo(List.of("admin"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void reboot_asAJob_rebootsTheCn_andMarksItRebooting() throws Exception {
    Map<String, Object> before = (Map<String, Object>) calls.send("GET", cnapi + "/servers/" + server, null)
        .object().get("sysinfo");
    Thread.sleep(1100); // Boot Time is in whole seconds
    Map<String, Object> job = serverJob("POST", "/servers/" + server + "/reboot", Map.of());
    assertThat(job).containsEntry("name", "server-reboot-1.2.0").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(job)).containsExactly("cnapi.validate_params", "cnapi.pause_cn_agent_task_handler",
        "cnapi.wait_for_cn_agent_drained", "cnapi.send_reboot_message", "cnapi.mark_server_as_rebooting");
    assertThat((Map<String, Object>) job.get("params")).containsEntry("drain", false)
        .containsEntry("supportsServerRebootTask", true).containsEntry("cnapi_url", cnapi);
    Map<String, Object> after = calls.send("GET", cnapi + "/servers/" + server, null).object();
    assertThat(after).containsEntry("transitional_status", "rebooting");
    assertThat(Long.parseLong((String) ((Map<String, Object>) after.get("sysinfo")).get("Boot Time")))
        .isGreaterThan(Long.parseLong((String) before.get("Boot Time")));

    // drain pauses cn-agent, which then refuses server_reboot too: the job fails there, as the
    // real workflow does against a cn-agent new enough for the task.
    Map<String, Object> drained = serverJob("POST", "/servers/" + server + "/reboot", Map.of("drain", true));
    assertThat(drained).containsEntry("execution", "failed");
    assertThat(VmapiCalls.lastResult(drained)).containsEntry("name", "cnapi.send_reboot_message")
        .containsEntry("error", "CN Agent is not accepting tasks for maintenance");
    assertThat(calls.send("POST", cnapi + "/servers/" + server + "/cn-agent/resume", Map.of()).status())
        .isEqualTo(204);
  }

  @Test
  @SuppressWarnings("unchecked")
  void factoryReset_thenSetup_theCnRebootsUnsetupThenSetUp_underItsNewHostname() throws Exception {
    Map<String, Object> before = calls.send("GET", cnapi + "/servers/" + server, null).object();
    Map<String, Object> sysinfo = (Map<String, Object>) before.get("sysinfo");
    String adminMac = adminMac(sysinfo);
    String spareMac = ((Map<String, Map<String, Object>>) sysinfo.get("Network Interfaces")).values().stream()
        .map(n -> (String) n.get("MAC Address")).filter(m -> !m.equals(adminMac)).findFirst().orElseThrow();
    Thread.sleep(1100); // Boot Time is in whole seconds

    Map<String, Object> reset = serverJob("PUT", "/servers/" + server + "/factory-reset", Map.of());
    assertThat(reset).containsEntry("name", "server-factory-reset-1.0.0").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(reset)).containsExactly("cnapi.validate_params",
        "cnapi.execute_factory_reset_script", "napi.get_current_nics", "napi.delete_server_nics");
    Await.require(Duration.ofSeconds(20), () -> Boolean.FALSE.equals(sandbox.cnapi().server(server.toString())
        .get("setup")), "the CN to come back not set up");
    Map<String, Object> unsetup = calls.send("GET", cnapi + "/servers/" + server, null).object();
    assertThat(((Map<String, Object>) unsetup.get("sysinfo")).get("Setup")).isEqualTo("false");
    assertThat(Long.parseLong((String) ((Map<String, Object>) unsetup.get("sysinfo")).get("Boot Time")))
        .isGreaterThan(Long.parseLong((String) sysinfo.get("Boot Time")));
    // booter's stand-in gave the admin NIC back at the boot, with the address sysinfo has
    assertThat(sandbox.napi().nics().find(adminMac)).containsEntry("ip", adminIp(sysinfo));
    // not set up: CNAPI refuses NIC updates and VMAPI places nothing there
    VmapiCalls.Reply nics = calls.send("PUT", cnapi + "/servers/" + server + "/nics",
        Map.of("action", "update", "nics", List.of()));
    assertThat(nics.status()).isEqualTo(500);
    assertThat(nics.object()).containsEntry("message", "Server is not setup");
    VmapiCalls.Reply provision = calls.send("POST", "/vms", calls.createBody("nowhere"));
    assertThat(provision.status()).isEqualTo(409);
    assertThat(provision.object()).containsEntry("code", "NoAllocatableServersError");

    // setup tags only NICs NAPI has for the server: wait for net-agent to put the spare one back after the boot
    Await.require(Duration.ofSeconds(20), () -> !sandbox.napi().nics().list(Set.of(server.toString()),
        n -> spareMac.equals(n.get("mac"))).isEmpty(), "net-agent to register the spare NIC again");
    Map<String, Object> setup = serverJob("PUT", "/servers/" + server + "/setup", Map.of("hostname", "cn-fresh",
        "nics", List.of(Map.of("mac", spareMac, "nic_tags_provided", List.of("external")))));
    assertThat(setup).containsEntry("name", "server-setup-1.1.0").containsEntry("execution", "succeeded");
    assertThat(VmapiCalls.names(setup)).containsExactly("cnapi.validate_params", "napi.validate_nic_params",
        "napi.get_current_nics", "napi.apply_nic_updates", "napi.update_nics", "cnapi.mark_as_setting_up",
        "cnapi.clear_server_agents", "cnapi.fetch_setup_files", "cnapi.execute_joysetup_script",
        "cnapi.execute_agentsetup_script", "cnapi.update_nics", "cnapi.poll_tasks", "cnapi.touch_setup_complete",
        "cnapi.reboot_server", "cnapi.wait_for_reboot", "cnapi.run_postsetup_script", "cnapi.restart_ur",
        "cnapi.mark_server_as_setup");
    Map<String, Object> after = calls.send("GET", cnapi + "/servers/" + server, null).object();
    assertThat(after).containsEntry("setup", true).containsEntry("setting_up", false)
        .containsEntry("hostname", "cn-fresh").containsEntry("status", "running");
    assertThat(((Map<String, Object>) after.get("sysinfo"))).containsEntry("Setup", "true")
        .containsEntry("Hostname", "cn-fresh");
    assertThat((List<?>) after.get("agents")).isNotEmpty();
    assertThat(sysinfoTags(spareMac)).contains("external");
    assertThat(calls.send("PUT", cnapi + "/servers/" + server + "/setup", Map.of()).status()).isEqualTo(204);
    String vm = calls.provision(calls.createBody("placed"));
    assertThat(calls.vm(vm)).containsEntry("server_uuid", server.toString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> adminNic(Map<String, Object> sysinfo) {
    return ((Map<String, Map<String, Object>>) sysinfo.get("Network Interfaces")).values().stream()
        .filter(n -> ((List<?>) n.get("NIC Names")).contains("admin")).findFirst().orElseThrow();
  }

  private static String adminMac(Map<String, Object> sysinfo) {
    return (String) adminNic(sysinfo).get("MAC Address");
  }

  private static String adminIp(Map<String, Object> sysinfo) {
    return (String) adminNic(sysinfo).get("ip4addr");
  }
}
