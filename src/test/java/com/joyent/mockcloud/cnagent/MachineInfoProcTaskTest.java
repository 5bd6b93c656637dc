package com.joyent.mockcloud.cnagent;

import static com.joyent.mockcloud.cnagent.CreatedVms.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** machine_info and machine_proc as a SmartOS CN runs them. */
class MachineInfoProcTaskTest {
  static final String IMAGE = "2b683a82-a066-11e3-97ab-2faa44701c5a";
  static final String INFO_EXIT_1 = "{\"error\":\"vmadm.info error: vmadm exited with code: 1 signal: null\"}";

  @TempDir static Path tmp;
  static CnAgentHarness cn;

  @BeforeAll
  static void startCn() throws Exception {
    cn = new CnAgentHarness(tmp).awaitRegistered();
  }

  @AfterAll
  static void stopCn() {
    cn.close();
  }

  /** The reply body is a JSON string holding what vmadm info prints: 2-space JSON and a newline. */
  static Map<String, Object> infoOf(CnAgentHarness.Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    Object body = Json.parse(a.body().getBytes());
    assertThat(body).isInstanceOf(String.class);
    String printed = (String) body;
    Map<String, Object> info = Json.parseObject(printed);
    assertThat(printed).isEqualTo(new String(Json.prettyBytes(info, 2)));
    return info;
  }

  @Test
  void info_runningKvm_allTypes_isAStringOfStatusVncVersion() throws Exception {
    String v = CreatedVms.hvm(cn, "kvm", IMAGE);

    Map<String, Object> info = infoOf(cn.call("machine_info", params("uuid", v)));

    assertThat(info).containsOnlyKeys("status", "vnc", "version");
    assertThat(info.get("status")).isEqualTo(Map.of("status", "running"));
    assertThat(infoOf(cn.call("machine_info", params("uuid", v, "types", List.of("all"))))).isEqualTo(info);
  }

  @Test
  void info_someTypes_answersOnlyThose() throws Exception {
    String v = CreatedVms.hvm(cn, "kvm", IMAGE);

    assertThat(infoOf(cn.call("machine_info", params("uuid", v, "types", List.of("vnc"))))).containsOnlyKeys("vnc");
    assertThat(infoOf(cn.call("machine_info", params("uuid", v, "types", List.of("vnc,status")))))
        .containsOnlyKeys("vnc", "status");
  }

  @Test
  void info_runningBhyve_hasOnlyVnc() throws Exception {
    String v = CreatedVms.hvm(cn, "bhyve", IMAGE);

    assertThat(infoOf(cn.call("machine_info", params("uuid", v)))).containsOnlyKeys("vnc");
  }

  @Test
  void info_zoneStoppedVmOrTypeTheBrandLacks_failsAsVmadmExits1() throws Exception {
    String zone = CreatedVms.zone(cn);
    String stopped = CreatedVms.hvm(cn, "kvm", IMAGE);
    assertThat(cn.call("machine_shutdown", params("uuid", stopped)).status()).isEqualTo(200);
    String bhyve = CreatedVms.hvm(cn, "bhyve", IMAGE);

    assertBodyWithReqId(cn.call("machine_info", params("uuid", zone)), INFO_EXIT_1);
    assertBodyWithReqId(cn.call("machine_info", params("uuid", stopped)), INFO_EXIT_1);
    assertBodyWithReqId(cn.call("machine_info", params("uuid", bhyve, "types", List.of("cpus"))), INFO_EXIT_1);
    assertThat(cn.call("machine_info", params("uuid", bhyve, "types", List.of("nonsense"))).status()).isEqualTo(500);
  }

  @Test
  void info_missingVm_isVmNotFound_andBadTypesCrash() throws Exception {
    assertBodyWithReqId(cn.call("machine_info", params("uuid", UUID.randomUUID().toString())),
        "{\"error\":\"vmadm.info error: VM does not exist\",\"details\":{\"restCode\":\"VmNotFound\"}}");
    String v = CreatedVms.hvm(cn, "kvm", IMAGE);
    assertThat((String) cn.call("machine_info", params("uuid", v, "types", "vnc")).json().get("error"))
        .startsWith("Child task process machine_info did not terminate cleanly.");
  }

  @Test
  void proc_runningVm_answersNoProcesses() throws Exception {
    String v = CreatedVms.zone(cn);

    CnAgentHarness.Answer a = cn.call("machine_proc", params("uuid", v));

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("{}");
  }

  @Test
  void proc_stoppedMissingOrNoUuid_answerTheRealErrors() throws Exception {
    String v = CreatedVms.zone(cn);
    assertThat(cn.call("machine_shutdown", params("uuid", v)).status()).isEqualTo(200);

    assertThat(cn.call("machine_proc", params("uuid", v)).body())
        .isEqualTo("{\"error\":\"VM is not running\",\"details\":{\"restCode\":\"VmNotRunning\"}}");
    assertThat(cn.call("machine_proc", params("uuid", UUID.randomUUID().toString())).body())
        .isEqualTo("{\"error\":\"vmadm.load error: VM does not exist\",\"details\":{\"restCode\":\"VmNotFound\"}}");
    assertThat(cn.call("machine_proc", params()).body()).isEqualTo("{\"error\":\"missing uuid for machine_proc\"}");
  }

  /** The task adopted the request id (as the real one does before calling vmadm): the body ends with it. */
  private static void assertBodyWithReqId(CnAgentHarness.Answer a, String bodyWithoutReqId) {
    assertThat(a.requestId()).isNotBlank();
    assertThat(a.body()).isEqualTo(a.withReqId(bodyWithoutReqId));
  }
}
