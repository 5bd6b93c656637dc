package com.joyent.mockcloud.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * {@link V8JsonErrors} against what node 20.20.2's {@code JSON.parse} said of the same texts
 * ({@code v8-json-errors.jsonl}, made by {@code v8-json-errors.js} next to it): every message
 * kind, the quoting of "Unexpected token" at each length and position, every prefix of three
 * bodies and 400 one-character mutations of them.
 */
class V8JsonErrorsTest {
  record Case(String text, String message) {}

  static List<Case> table() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (InputStream in = V8JsonErrorsTest.class.getResourceAsStream("/json/v8-json-errors.jsonl")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        Map<String, Object> m = Json.parseObject(line);
        cases.add(new Case((String) m.get("text"), (String) m.get("message")));
      }
    }
    return cases;
  }

  @Test
  void describe_givesNode20sMessage_forEveryTextOfTheTable() throws IOException {
    List<Case> cases = table();
    assertThat(cases).hasSizeGreaterThan(700);

    SoftAssertions soft = new SoftAssertions();
    for (Case c : cases) {
      soft.assertThat(V8JsonErrors.describe(c.text())).as("JSON.parse(%s)", Json.compact(c.text()))
          .isEqualTo(c.message());
    }
    soft.assertAll();
  }

  @Test
  void describe_theReferencesRecordedBody_givesItsMessage() {
    // lifecycle-3cn S18: cn-agent answered "Invalid JSON: " + this.
    assertThat(V8JsonErrors.describe("{\"task\": \"nop\", "))
        .isEqualTo("Expected double-quoted property name in JSON at position 16");
    // S17, CNAPI.
    assertThat(V8JsonErrors.describe("{\"sleep\": 0,"))
        .isEqualTo("Expected double-quoted property name in JSON at position 12");
  }

  @Test
  void describe_positionsCountUtf16Units() {
    // The emoji is two UTF-16 units (and four UTF-8 bytes): the second '}' is at 10, not 12.
    assertThat(V8JsonErrors.describe("{\"a\":\"😀\"}}"))
        .isEqualTo("Unexpected non-whitespace character after JSON at position 10");
  }

  @Test
  void describe_deepNesting_isScannedWithoutRecursion() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);

    assertThat(V8JsonErrors.describe(deep)).isNull();
    assertThat(V8JsonErrors.describe(deep + "]"))
        .isEqualTo("Unexpected non-whitespace character after JSON at position 400000");
  }
}
