package com.joyent.mockcloud.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.RawHttp;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox APIs answer a body that is not JSON as CNAPI did in the golden traces
 * (lifecycle-3cn S17): 400 InvalidContent in JSON.parse's words, with only Date and
 * Connection besides the body's headers.
 */
class SandboxInvalidJsonTest {
  private Sandbox sandbox;

  @BeforeEach
  void start() {
    sandbox = Sandbox.start(SandboxOptions.defaults());
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private static RawHttp.Answer post(String baseUrl, String path, String body) throws Exception {
    try (RawHttp c = new RawHttp(URI.create(baseUrl).getPort())) {
      return c.send(RawHttp.head("POST", path, "Content-Type: application/json", "Connection: close",
          "Content-Length: " + body.length()) + body).read();
    }
  }

  @Test
  void cnapi_nopWithCutBody_answersAsTheRealCnapi() throws Exception {
    RawHttp.Answer a = post(sandbox.cnapiUrl(), "/servers/" + Fixtures.CN_A + "/nop", "{\"sleep\": 0,");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.body()).isEqualTo("{\"code\":\"InvalidContent\","
        + "\"message\":\"Invalid JSON: Expected double-quoted property name in JSON at position 12\"}");
    assertThat(a.headerNames()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "Date", "Connection");
    assertThat(a.headers()).containsEntry("connection", "close");
  }

  @Test
  void vmapiAndNapi_answerInJsonParsesWordsToo() throws Exception {
    RawHttp.Answer vmapi = post(sandbox.vmapiUrl(), "/vms/" + Fixtures.VM_1, "{\"state\":\"running\"");
    RawHttp.Answer napi = post(sandbox.napiUrl(), "/nics", "{\"mac\":'x'}");

    assertThat(vmapi.status()).isEqualTo(400);
    assertThat(vmapi.body()).isEqualTo("{\"code\":\"InvalidContent\","
        + "\"message\":\"Invalid JSON: Expected ',' or '}' after property value in JSON at position 18\"}");
    assertThat(napi.status()).isEqualTo(400);
    assertThat(napi.body()).isEqualTo("{\"code\":\"InvalidContent\","
        + "\"message\":\"Invalid JSON: Unexpected token ''', \\\"{\\\"mac\\\":'x'}\\\" is not valid JSON\"}");
  }
}
