package com.joyent.mockcloud.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Expected files were produced by node's JSON.stringify from input.json (cn-agent.md §2.9). */
class JsonTest {
  private static String resource(String name) throws IOException {
    try (var in = JsonTest.class.getResourceAsStream("/json/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void compact_matchesJsonStringify() throws IOException {
    Map<String, Object> parsed = Json.parseObject(resource("input.json"));
    assertThat(Json.compact(parsed)).isEqualTo(resource("expected-compact.json"));
  }

  @Test
  void pretty2_matchesJsonStringifyWithTwoSpacesAndNewline() throws IOException {
    Map<String, Object> parsed = Json.parseObject(resource("input.json"));
    assertThat(new String(Json.prettyBytes(parsed, 2), StandardCharsets.UTF_8)).isEqualTo(resource("expected-2.json"));
  }

  @Test
  void pretty4_matchesJsonStringifyWithFourSpacesAndNewline() throws IOException {
    Map<String, Object> parsed = Json.parseObject(resource("input.json"));
    assertThat(new String(Json.prettyBytes(parsed, 4), StandardCharsets.UTF_8)).isEqualTo(resource("expected-4.json"));
  }

  @Test
  void parseObject_keepsKeyOrder() {
    Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"m\":3}");
    assertThat(m).isInstanceOf(LinkedHashMap.class);
    assertThat(List.copyOf(m.keySet())).containsExactly("z", "a", "m");
  }

  @Test
  void parseObjectKeys_keepsOnlyTheNamedTopLevelKeys_inDocumentOrder() {
    Map<String, Object> m = Json.parseObjectKeys(
        "{\"z\":{\"a\":[1,{\"b\":2}]},\"keep\":[1,2.5,\"x\"],\"n\":7,\"s\":\"v\",\"n\":8}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.util.Set.of("n", "keep", "absent"));
    assertThat(m).containsExactly(Map.entry("keep", java.util.List.of(1, 2.5, "x")), Map.entry("n", 8));
    assertThatThrownBy(() -> Json.parseObjectKeys("[1]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.util.Set.of("n"))).isInstanceOf(Json.JsonFormatException.class);
  }

  @Test
  void parseObject_nonObject_fails() {
    assertThatThrownBy(() -> Json.parseObject("[1,2]")).isInstanceOf(Json.JsonFormatException.class)
        .hasMessage("expected a JSON object, got an array");
    assertThatThrownBy(() -> Json.parseObject("null")).hasMessage("expected a JSON object, got null");
    assertThatThrownBy(() -> Json.parseObject("{bad")).isInstanceOf(Json.JsonFormatException.class)
        .hasMessage("Expected property name or '}' in JSON at position 1");
  }

  @Test
  void parse_everyTextOfTheNodeTable_failsWithJsonParsesMessage_orParsesWhereNodeDoes() throws IOException {
    SoftAssertions soft = new SoftAssertions();
    for (V8JsonErrorsTest.Case c : V8JsonErrorsTest.table()) {
      if (!c.text().equals(new String(c.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          || c.text().startsWith("\ufeff")) {
        continue; // a lone surrogate has no UTF-8 form; Jackson skips a byte-order mark where Node does not
      }
      byte[] bytes = c.text().getBytes(StandardCharsets.UTF_8);
      if (c.message() == null) {
        soft.assertThatCode(() -> Json.parse(bytes)).as(c.text()).doesNotThrowAnyException();
      } else {
        soft.assertThatThrownBy(() -> Json.parse(bytes)).as(c.text()).isInstanceOf(Json.JsonFormatException.class)
            .hasMessage(c.message());
      }
    }
    soft.assertAll();
  }

  @Test
  void parse_somethingAfterTheValue_isRejectedAsJsonParseRejectsIt() {
    assertThatThrownBy(() -> Json.parse("{} {}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("Unexpected non-whitespace character after JSON at position 3");
    assertThatThrownBy(() -> Json.parseObject("{\"a\":1} x"))
        .hasMessage("Unexpected non-whitespace character after JSON at position 8");
    assertThatThrownBy(() -> Json.parseObjectKeys("{\"n\":1}[]".getBytes(StandardCharsets.UTF_8), java.util.Set.of("n")))
        .hasMessage("Unexpected non-whitespace character after JSON at position 7");
    assertThatThrownBy(() -> Json.parseObjectKeys("{\"n\":1,".getBytes(StandardCharsets.UTF_8), java.util.Set.of("n")))
        .hasMessage("Expected double-quoted property name in JSON at position 7");
  }

  @Test
  void parse_badUtf8InAString_isReadAsNodeReadsIt_elsewhereItIsAnUnexpectedToken() {
    byte[] inString = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'};
    byte[] outside = {'{', '"', 'a', '"', ':', (byte) 0xff, '}'};

    assertThat(Json.parseObject(inString)).containsEntry("a", "\ufffd");
    assertThat(Json.parseObjectKeys(inString, java.util.Set.of("a"))).containsEntry("a", "\ufffd");
    assertThatThrownBy(() -> Json.parse(outside))
        .hasMessage("Unexpected token '\ufffd', \"{\"a\":\ufffd}\" is not valid JSON");
  }

  @Test
  void parse_nestingBeyondJacksonsLimit_saysSoInItsOwnWords() {
    String deep = "[".repeat(1_500) + "]".repeat(1_500);

    assertThatThrownBy(() -> Json.parse(deep.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(Json.JsonFormatException.class).hasMessageStartingWith("JSON beyond this reader's limits")
        .hasMessageNotContaining("StreamReadConstraints");
  }

  @Test
  void numbers_followJavaScriptFormatting() {
    assertThat(JsNumberSerializer.format(1.0)).isEqualTo("1");
    assertThat(JsNumberSerializer.format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(JsNumberSerializer.format(1e20)).isEqualTo("100000000000000000000");
    assertThat(JsNumberSerializer.format(1.5e22)).isEqualTo("1.5e+22");
    assertThat(JsNumberSerializer.format(0.000001)).isEqualTo("0.000001");
    assertThat(JsNumberSerializer.format(2.5e-7)).isEqualTo("2.5e-7");
    assertThat(JsNumberSerializer.format(Double.NaN)).isEqualTo("null");
  }
}
