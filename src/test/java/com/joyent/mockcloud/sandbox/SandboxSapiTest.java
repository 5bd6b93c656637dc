package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox SAPI over HTTP: what agent installs and config-agent use, with SAPI's answers. */
class SandboxSapiTest {
  private static final Map<String, String> V2 = Map.of("Accept-Version", "~2");
  private Sandbox sandbox;
  private String sapi;

  @BeforeEach
  void setUp() {
    sandbox = Sandbox.start(SandboxOptions.defaults());
    sapi = sandbox.sapiUrl();
  }

  @AfterEach
  void tearDown() {
    sandbox.close();
  }

  private Map<String, Object> agentService(String name) {
    List<Map<String, Object>> found = TestHttp.get(sapi + "/services?type=agent&name=" + name).array();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void ping_andTheSeededSdcApplicationWithAnAgentServicePerAgent() {
    TestHttp.Reply ping = TestHttp.get(sapi + "/ping");
    assertThat(ping.status()).isEqualTo(200);
    assertThat(ping.object()).containsEntry("mode", "full").containsEntry("storAvailable", true);
    assertThat(ping.header("Server")).isEqualTo("sapi/2.1.2");
    List<Map<String, Object>> apps = TestHttp.get(sapi + "/applications?name=sdc").array();
    assertThat(apps).extracting(a -> a.get("name")).contains("sdc");
    Map<String, Object> cnAgent = agentService("cn-agent");
    assertThat(cnAgent).containsEntry("application_uuid", sandbox.sapi().sdcApplicationUuid())
        .doesNotContainKey("type"); // version 1 leaves type out
    // version 1 lists only vm services unless asked for a type; version 2 shows the type
    assertThat(TestHttp.get(sapi + "/services").array()).isEmpty();
    assertThat(TestHttp.send("GET", sapi + "/services", null, V2).array()).hasSize(6)
        .allSatisfy(s -> assertThat(s).containsEntry("type", "agent"));
  }

  @Test
  void instances_upsert_config_mergesMetadata_andAnswers304ForItsEtag() {
    Map<String, Object> svc = agentService("cn-agent");
    String manifest = (String) TestHttp.post(sapi + "/manifests", Map.of("name", "cn-agent", "path",
        "/opt/smartdc/agents/etc/cn-agent.config.json", "template", "{\"dc\": \"{{datacenter_name}}\"}")).object()
        .get("uuid");
    sandbox.sapi().update("service", (String) svc.get("uuid"), Map.of("action", "update",
        "manifests", Map.of("cn-agent", manifest), "metadata", Map.of("port", 5309)));
    String inst = UUID.randomUUID().toString();
    String server = UUID.randomUUID().toString();
    Map<String, Object> body = Map.of("service_uuid", svc.get("uuid"), "uuid", inst,
        "params", Map.of("server_uuid", server), "exists", true, "name", "cn-agent");
    TestHttp.Reply created = TestHttp.post(sapi + "/instances", body);
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.object()).containsEntry("uuid", inst).doesNotContainKeys("exists", "name");
    assertThat(TestHttp.post(sapi + "/instances", body).status()).as("re-adopting is an upsert").isEqualTo(200);
    assertThat(TestHttp.send("GET", sapi + "/instances?type=agent", null, V2).array()).hasSize(1);

    TestHttp.Reply config = TestHttp.get(sapi + "/configs/" + inst);
    assertThat(config.status()).isEqualTo(200);
    Map<String, Object> metadata = (Map<String, Object>) config.object().get("metadata");
    assertThat(metadata).containsEntry("datacenter_name", sandbox.datacenter()).containsEntry("port", 5309)
        .containsEntry("SERVICE_NAME", "cn-agent").containsEntry("SERVER_UUID", server)
        .containsEntry("INSTANCE_UUID", inst).containsEntry("ZONE_UUID", inst);
    assertThat((List<Map<String, Object>>) config.object().get("manifests")).singleElement()
        .satisfies(m -> assertThat(m).containsEntry("uuid", manifest).containsEntry("version", "1.0.0"));
    String etag = config.header("Etag");
    assertThat(etag).matches("[0-9a-f]{40}");
    TestHttp.Reply same = TestHttp.send("GET", sapi + "/configs/" + inst, null, Map.of("If-None-Match", etag));
    assertThat(same.status()).isEqualTo(304);
    assertThat(same.body()).isEmpty();

    sandbox.sapi().update("instance", inst, Map.of("action", "update", "metadata", Map.of("port", 1)));
    TestHttp.Reply changed = TestHttp.send("GET", sapi + "/configs/" + inst, null, Map.of("If-None-Match", etag));
    assertThat(changed.status()).isEqualTo(200);
    assertThat((Map<String, Object>) changed.object().get("metadata")).containsEntry("port", 1);
    assertThat(changed.header("Etag")).isNotEqualTo(etag);
  }

  @Test
  void badInput_isSapisErrors_andChangesNothing() {
    assertThat(TestHttp.post(sapi + "/instances", Map.of()).object())
        .containsEntry("code", "MissingParameter").containsEntry("message", "missing required keys: service_uuid");
    String unknown = UUID.randomUUID().toString();
    TestHttp.Reply noService = TestHttp.post(sapi + "/instances", Map.of("service_uuid", unknown));
    assertThat(noService.status()).isEqualTo(404);
    assertThat(noService.object()).containsEntry("code", "ResourceNotFound")
        .containsEntry("message", "no such service: " + unknown);
    TestHttp.Reply noConfig = TestHttp.get(sapi + "/configs/" + unknown);
    assertThat(noConfig.status()).isEqualTo(404);
    assertThat(noConfig.object()).containsEntry("message", "no such instance: " + unknown);
    assertThat(TestHttp.post(sapi + "/manifests", Map.of("name", "x", "path", "/x", "template", "t", "version", "1"))
        .object()).containsEntry("code", "InvalidArgument").containsEntry("message", "invalid version");
    assertThat(TestHttp.post(sapi + "/manifests", Map.of("name", "x")).object())
        .containsEntry("message", "missing required keys: path, template");
    Map<String, Object> svc = agentService("vm-agent");
    assertThat(TestHttp.put(sapi + "/services/" + svc.get("uuid"), Map.of("action", "frob")).object())
        .containsEntry("code", "InvalidArgument");
    assertThat(TestHttp.send("GET", sapi + "/instances", null, V2).array()).isEmpty();
    assertThat(TestHttp.get(sapi + "/manifests").array()).isEmpty();
    assertThat(TestHttp.delete(sapi + "/instances/" + unknown).status()).isEqualTo(404);
  }
}
