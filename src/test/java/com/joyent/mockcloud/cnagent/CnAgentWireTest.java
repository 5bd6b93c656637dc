package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.http.RawHttp;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cn-agent's answers as bytes on the wire, against the reference's in the golden traces
 * (lifecycle-3cn, hops cnapi_to_cn-agent and operator_to_cn-agent): header names (order is
 * Undertow's, not Node's; no HTTP client depends on it), {@code Connection}/{@code Keep-Alive}
 * by the request's wish, and a body that is not JSON answered in {@code JSON.parse}'s words.
 */
class CnAgentWireTest {
  static final String DATE = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
      + " \\d{4} \\d\\d:\\d\\d:\\d\\d GMT";

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

  private static String post(String body, String... headers) {
    String[] all = new String[headers.length + 3];
    all[0] = "Content-Type: application/json";
    all[1] = "x-server-uuid: " + cn.uuid();
    all[2] = "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length;
    System.arraycopy(headers, 0, all, 3, headers.length);
    return RawHttp.head("POST", "/tasks", all) + body;
  }

  private static RawHttp.Answer send(RawHttp c, String request) throws Exception {
    return c.send(request.getBytes(StandardCharsets.UTF_8)).read();
  }

  @Test
  void keepAliveRequest_isAnsweredWithRestifysHeaders_keepAliveTimeout5_andTheConnectionStaysOpen() throws Exception {
    try (RawHttp c = new RawHttp(cn.agent.port())) {
      RawHttp.Answer a = send(c, post("{\"task\":\"nop\",\"params\":{}}", "Connection: keep-alive",
          "x-request-id: 9e18fbdf-7651-49ce-84dd-053313b2b72f"));
      RawHttp.Answer again = send(c, post("{\"task\":\"nop\",\"params\":{}}"));

      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).isEqualTo("{}");
      // cnapi_to_cn-agent: Content-Type, Content-Length, Date, Server, x-request-id, x-response-time,
      // x-server-name, Connection, Keep-Alive.
      assertThat(a.headerNames()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "Date", "Server",
          "x-request-id", "x-response-time", "x-server-name", "Connection", "Keep-Alive");
      assertThat(a.headers()).containsEntry("content-type", "application/json").containsEntry("content-length", "2")
          .containsEntry("server", "Compute Node Agent")
          .containsEntry("x-request-id", "9e18fbdf-7651-49ce-84dd-053313b2b72f")
          .containsEntry("connection", "keep-alive").containsEntry("keep-alive", "timeout=5");
      assertThat(a.headers().get("date")).matches(DATE);
      assertThat(a.headers().get("x-response-time")).matches("\\d+");
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.headers()).containsEntry("connection", "keep-alive");
    }
  }

  @Test
  void closeRequest_isAnsweredConnectionClose_withoutKeepAlive() throws Exception {
    try (RawHttp c = new RawHttp(cn.agent.port())) {
      RawHttp.Answer a = send(c, post("{\"task\":\"nop\",\"params\":{}}", "Connection: close"));

      assertThat(a.status()).isEqualTo(200);
      // operator_to_cn-agent: the same names with Connection: close and no Keep-Alive.
      assertThat(a.headerNames()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "Date", "Server",
          "x-request-id", "x-response-time", "x-server-name", "Connection");
      assertThat(a.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void bodyThatIsNotJson_is400InJsonParsesWords_withOnlyTheHeadersRestifyGivesBeforeItsHandlers() throws Exception {
    int tasksBefore = cn.history().size();
    try (RawHttp c = new RawHttp(cn.agent.port())) {
      // The reference's own request (lifecycle-3cn S18) and its answer, byte for byte.
      RawHttp.Answer a = send(c, post("{\"task\": \"nop\", ", "Connection: close"));

      assertThat(a.status()).isEqualTo(400);
      assertThat(a.body()).isEqualTo("{\"code\":\"InvalidContent\","
          + "\"message\":\"Invalid JSON: Expected double-quoted property name in JSON at position 16\"}");
      assertThat(a.headerNames()).containsExactlyInAnyOrder("Content-Type", "Content-Length", "Date", "Connection");
      assertThat(a.headers()).containsEntry("content-length", "111").containsEntry("connection", "close");
    }
    assertThat(cn.history()).hasSize(tasksBefore); // nothing ran
  }

  @Test
  void everyKindOfBadBody_isAnsweredWithV8sMessage() throws Exception {
    Map<String, String> kinds = new LinkedHashMap<>();
    kinds.put(" ", "Unexpected end of JSON input");
    kinds.put("{\"task\":\"nop\",\"params\":{}", "Expected ',' or '}' after property value in JSON at position 25");
    kinds.put("{\"task\":\"nop\",}", "Expected double-quoted property name in JSON at position 14");
    kinds.put("{task:\"nop\"}", "Expected property name or '}' in JSON at position 1");
    kinds.put("{\"task\" \"nop\"}", "Expected ':' after property name in JSON at position 8");
    kinds.put("{\"params\":[1 2]}", "Expected ',' or ']' after array element in JSON at position 13");
    kinds.put("{\"task\":\"nop\",\"params\":{}} x", "Unexpected non-whitespace character after JSON at position 27");
    kinds.put("{\"task\":nop}", "Unexpected token 'o', \"{\"task\":nop}\" is not valid JSON");
    kinds.put("{\"params\":{\"uuid\":'x'},\"task\":\"nop\"}",
        "Unexpected token ''', ...\"\":{\"uuid\":'x'},\"task\"... is not valid JSON");
    kinds.put("{\"params\":{\"sleep\":01}}", "Unexpected number in JSON at position 20");
    kinds.put("{\"params\":{\"sleep\":-}}", "No number after minus sign in JSON at position 20");
    kinds.put("{\"params\":{\"sleep\":1.}}", "Unterminated fractional number in JSON at position 21");
    kinds.put("{\"params\":{\"sleep\":1e}}", "Exponent part is missing a number in JSON at position 21");
    kinds.put("{\"task\":\"nop", "Unterminated string in JSON at position 12");
    kinds.put("{\"task\":\"n\top\"}", "Bad control character in string literal in JSON at position 10");
    kinds.put("{\"task\":\"n\\op\"}", "Bad escaped character in JSON at position 11");
    kinds.put("{\"task\":\"n\\u00zz\"}", "Bad Unicode escape in JSON at position 14");
    kinds.put("{\"task\":\"nop\",\"params\":tru}", "Unexpected token '}', ...\"arams\":tru}\" is not valid JSON");
    kinds.put("undefined", "\"undefined\" is not valid JSON");

    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, String> k : kinds.entrySet()) {
      try (RawHttp c = new RawHttp(cn.agent.port())) {
        RawHttp.Answer a = send(c, post(k.getKey()));
        soft.assertThat(a.status()).as(k.getKey()).isEqualTo(400);
        soft.assertThat(a.body()).as(k.getKey())
            .isEqualTo("{\"code\":\"InvalidContent\",\"message\":" + Json.compact("Invalid JSON: " + k.getValue()) + "}");
      }
    }
    soft.assertAll();
  }
}
