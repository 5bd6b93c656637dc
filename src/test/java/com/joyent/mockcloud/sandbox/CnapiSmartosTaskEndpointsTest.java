package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox CNAPI's endpoints that drive the smartos backend's tasks (sdc-cnapi's VmKill,
 * VmProc, VmInfo, VmVnc, ImageGet, VmDocker*, ServerUpdate's overprovision_ratios): what each
 * sends to cn-agent and how it answers its client.
 */
class CnapiSmartosTaskEndpointsTest {
  private static final String CN = Fixtures.CN_A;
  private static final String VM = Fixtures.VM_1;
  private static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  private Sandbox sandbox;
  private FakeCnAgent agent;
  private String cnapi;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    agent = new FakeCnAgent();
    cnapi = sandbox.cnapiUrl();
    assertThat(TestHttp.post(cnapi + "/servers/" + CN + "/sysinfo",
        Map.of("sysinfo", Fixtures.sysinfo(CN, agent.ip(), agent.port()))).status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    agent.close();
    sandbox.close();
  }

  @Test
  void vmKill_sendsMachineKillWithTheSignal_andRefusesASignalThatIsAnObject() throws Exception {
    TestHttp.Reply r = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/kill", Map.of("signal", "SIGKILL"));
    assertThat(r.status()).isEqualTo(200);
    FakeCnAgent.Received got = agent.take();
    assertThat(got.task()).isEqualTo("machine_kill");
    assertThat(got.params()).containsEntry("uuid", VM).containsEntry("signal", "SIGKILL");

    TestHttp.Reply bad = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/kill",
        Map.of("signal", Map.of("x", 1)));
    assertThat(bad.status()).isEqualTo(500);
    assertThat(bad.body()).isEqualTo("{\"code\":\"InvalidParameters\",\"message\":\"Request parameters failed "
        + "validation\",\"errors\":[{\"field\":\"signal\",\"code\":\"Invalid\",\"message\":\"value was not a number "
        + "or string\"}]}");
    assertThat(agent.received()).hasSize(1);
  }

  @Test
  void vmProc_answersTheTaskResult_404ForVmNotFound_500Otherwise() throws Exception {
    agent.answer("machine_proc", 200, Map.of());
    TestHttp.Reply ok = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/proc");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{}");
    assertThat(agent.take().params()).isEqualTo(Map.of("uuid", VM));

    agent.answer("machine_proc", 500, Map.of("error", "vmadm.load error: VM does not exist",
        "details", Map.of("restCode", "VmNotFound")));
    TestHttp.Reply missing = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/proc");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"code\":\"ResourceNotFound\",\"message\":\"VM " + VM + " not found\"}");

    agent.answer("machine_proc", 500, Map.of("error", "VM is not running", "details",
        Map.of("restCode", "VmNotRunning")));
    TestHttp.Reply stopped = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/proc");
    assertThat(stopped.status()).isEqualTo(500);
    assertThat(stopped.object()).containsEntry("code", "InternalError")
        .containsEntry("message", "posting task to cn-agent: VM is not running");
  }

  @Test
  void vmInfoAndVnc_passTheTypes_infoAnswersTheString_vncParsesIt() throws Exception {
    String printed = "{\n  \"vnc\": {\n    \"host\": \"127.0.0.1\",\n    \"port\": 0,\n    \"display\": 0\n  }\n}\n";
    agent.answer("machine_info", 200, printed);

    TestHttp.Reply info = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/info?info=vnc,status");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json()).isEqualTo(printed);
    assertThat(agent.take().params()).isEqualTo(Map.of("uuid", VM, "types", List.of("vnc", "status")));

    TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/info");
    assertThat(agent.take().params()).containsEntry("types", List.of("all"));

    TestHttp.Reply vnc = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/vnc");
    assertThat(vnc.status()).isEqualTo(200);
    assertThat(vnc.body()).isEqualTo("{\"host\":\"127.0.0.1\",\"port\":0}");
    assertThat(agent.take().params()).containsEntry("types", List.of("vnc"));

    agent.answer("machine_info", 200, Map.of("vnc", Map.of()));
    TestHttp.Reply notText = TestHttp.get(cnapi + "/servers/" + CN + "/vms/" + VM + "/vnc");
    assertThat(notText.status()).isEqualTo(500);
    assertThat(notText.object()).containsEntry("message", "failed to parse JSON response from vm.info");
  }

  @Test
  void imageGet_answersTheManifest_anyTaskErrorIs500() throws Exception {
    agent.answer("image_get", 200, Map.of("uuid", IMAGE, "name", "base"));
    TestHttp.Reply ok = TestHttp.get(cnapi + "/servers/" + CN + "/images/" + IMAGE);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.object()).isEqualTo(Map.of("uuid", IMAGE, "name", "base"));
    FakeCnAgent.Received got = agent.take();
    assertThat(got.task()).isEqualTo("image_get");
    assertThat(got.params()).isEqualTo(Map.of("uuid", IMAGE));

    agent.answer("image_get", 500, Map.of("error", "Image.get error: not here"));
    TestHttp.Reply err = TestHttp.get(cnapi + "/servers/" + CN + "/images/" + IMAGE);
    assertThat(err.status()).isEqualTo(500);
    assertThat(err.object()).containsEntry("message", "posting task to cn-agent: Image.get error: not here");
  }

  @Test
  void dockerEndpoints_sendTheirTasks_execNeedsACommandObject() throws Exception {
    agent.answer("docker_exec", 500, Map.of("error", "docker_exec is not supported on a mock CN: why"));
    TestHttp.Reply exec = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/docker-exec",
        Map.of("command", Map.of("Cmd", List.of("ls"))));
    assertThat(exec.status()).isEqualTo(500);
    assertThat(exec.object()).containsEntry("message", "posting task to cn-agent: docker_exec is not supported on a "
        + "mock CN: why");
    assertThat(agent.take().params()).isEqualTo(Map.of("uuid", VM, "command", Map.of("Cmd", List.of("ls"))));

    TestHttp.Reply noCommand = TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/docker-exec", Map.of());
    assertThat(noCommand.status()).isEqualTo(500);
    assertThat(noCommand.body()).contains("\"field\":\"command\"", "value is not an object. (was: [object Undefined])");

    for (String[] e : new String[][] {{"docker-copy", "docker_copy"}, {"docker-stats", "docker_stats"},
        {"docker-build", "docker_build"}}) {
      TestHttp.post(cnapi + "/servers/" + CN + "/vms/" + VM + "/" + e[0], Map.of("payload", Map.of()));
      assertThat(agent.take().task()).isEqualTo(e[1]);
    }
  }

  @Test
  void serverUpdate_overprovisionRatios_sendsTheTaskAsAQueryString_andFailsWhenItFails() throws Exception {
    TestHttp.Reply ok = TestHttp.post(cnapi + "/servers/" + CN,
        Map.of("overprovision_ratios", new java.util.LinkedHashMap<>(Map.of("cpu", 4))));
    assertThat(ok.status()).isEqualTo(204);
    FakeCnAgent.Received got = agent.take();
    assertThat(got.task()).isEqualTo("server_overprovision_ratio");
    assertThat(got.params()).isEqualTo(Map.of("value", "cpu=4"));
    assertThat(TestHttp.get(cnapi + "/servers/" + CN).object()).containsEntry("overprovision_ratios", Map.of("cpu", 4));

    agent.answer("server_overprovision_ratio", 500, Map.of("error", "no value given"));
    TestHttp.Reply failed = TestHttp.post(cnapi + "/servers/" + CN, Map.of("overprovision_ratios", Map.of("ram", 1)));
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.object()).containsEntry("message", "posting task to cn-agent: no value given");
    assertThat(TestHttp.get(cnapi + "/servers/" + CN).object()).as("a failed task stores nothing")
        .containsEntry("overprovision_ratios", Map.of("cpu", 4));

    TestHttp.Reply badKey = TestHttp.post(cnapi + "/servers/" + CN, Map.of("overprovision_ratios", Map.of("gpu", 1)));
    assertThat(badKey.status()).isEqualTo(409);
    assertThat(badKey.body()).isEqualTo("{\"code\":\"InvalidArgument\",\"message\":\"Invalid key gpu\"}");
    TestHttp.Reply negative = TestHttp.post(cnapi + "/servers/" + CN, Map.of("overprovision_ratios", Map.of("cpu", -1)));
    assertThat(negative.body()).isEqualTo("{\"code\":\"InvalidArgument\",\"message\":\"Invalid value for cpu\"}");
    assertThat(agent.received()).hasSize(2);
  }
}
