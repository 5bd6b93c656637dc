package com.joyent.mockcloud.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JsValues against node's own answers ({@code js-values.jsonl}, made by {@code js-values.js} next
 * to it), for values as {@link Json#parse} reads the same JSON text.
 */
class JsValuesTest {
  private static final List<Map<String, Object>> TABLE = table();

  private static List<Map<String, Object>> table() {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (InputStream in = JsValuesTest.class.getResourceAsStream("/json/js-values.jsonl");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        rows.add(Json.parseObject(line));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  private static List<Map<String, Object>> rows(String key) {
    return TABLE.stream().filter(r -> r.containsKey(key)).toList();
  }

  /** The value node made of the text; the table's few non-JSON names are made by hand. */
  private static Object value(String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Json.parse(text.getBytes(StandardCharsets.UTF_8));
    };
  }

  @Test
  void truthyTypeofClass_asNodeSays() {
    List<Map<String, Object>> rows = rows("value");
    assertThat(rows).hasSizeGreaterThan(40);
    for (Map<String, Object> row : rows) {
      String text = (String) row.get("value");
      Map<String, Object> obj = new HashMap<>();
      Object v = null;
      if (!text.equals("undefined")) { // undefined: an absent key
        v = value(text);
        obj.put("k", v);
      }
      assertThat(JsValues.truthy(v)).as("!!%s", text).isEqualTo(row.get("truthy"));
      assertThat(JsValues.typeOf(obj, "k")).as("typeof %s", text).isEqualTo(row.get("typeof"));
      assertThat(JsValues.className(obj, "k")).as("class of %s", text).isEqualTo(row.get("class"));
      if (obj.containsKey("k")) {
        assertThat(JsValues.typeOf(v)).as("typeof %s", text).isEqualTo(row.get("typeof"));
        assertThat(JsValues.className(v)).as("class of %s", text).isEqualTo(row.get("class"));
      }
    }
  }

  @Test
  void deepEqual_asTheAgentsCompareParsedJson() {
    List<Map<String, Object>> rows = rows("equal");
    assertThat(rows).hasSizeGreaterThan(60);
    for (Map<String, Object> row : rows) {
      String a = (String) row.get("a");
      String b = (String) row.get("b");
      boolean expected = (Boolean) row.get("equal");
      assertThat(JsValues.deepEqual(value(a), value(b))).as("%s vs %s", a, b).isEqualTo(expected);
      assertThat(JsValues.deepEqual(value(b), value(a))).as("%s vs %s", b, a).isEqualTo(expected);
      // The same pair one level down, in an array and under a key.
      assertThat(JsValues.deepEqual(listOf(value(a)), listOf(value(b)))).as("[%s] vs [%s]", a, b).isEqualTo(expected);
      assertThat(JsValues.deepEqual(mapOf(value(a)), mapOf(value(b)))).as("{k:%s} vs {k:%s}", a, b).isEqualTo(expected);
    }
  }

  private static List<Object> listOf(Object v) {
    List<Object> l = new ArrayList<>();
    l.add(v);
    return l;
  }

  private static Map<String, Object> mapOf(Object v) {
    Map<String, Object> m = new HashMap<>();
    m.put("k", v);
    return m;
  }

  @Test
  void deepEqual_tableRowsMeetEveryJavaNumberType() {
    // Without these the number rows would not test the rule they are there for.
    assertThat(value("1")).isInstanceOf(Integer.class);
    assertThat(value("1.0")).isInstanceOf(Double.class);
    assertThat(value("9007199254740993")).isInstanceOf(Long.class);
    assertThat(value("9223372036854775808")).isInstanceOf(BigInteger.class);
    assertThat(value("-0.0")).isEqualTo(-0.0);
  }

  @Test
  void deepEqual_numbersByValue_structures() {
    assertThat(JsValues.deepEqual(List.of(1, Map.of("a", 2L)), List.of(1L, Map.of("a", 2)))).isTrue();
    assertThat(JsValues.deepEqual("1", 1)).isFalse();
  }

  @Test
  void isoString_asDateToIsoString() {
    List<Map<String, Object>> rows = rows("ms");
    assertThat(rows).hasSizeGreaterThan(30);
    for (Map<String, Object> row : rows) {
      long ms = ((Number) row.get("ms")).longValue();
      Object iso = row.get("iso");
      if (iso == null) {
        assertThatThrownBy(() -> JsValues.isoString(ms)).as("%d", ms).isInstanceOf(IllegalArgumentException.class);
      } else {
        assertThat(JsValues.isoString(ms)).as("%d", ms).isEqualTo(iso);
        assertThat(JsValues.isoString(Instant.ofEpochMilli(ms))).as("%d", ms).isEqualTo(iso);
      }
    }
  }

  @Test
  void isoString_instant_dropsFinerDigits() {
    assertThat(JsValues.isoString(Instant.ofEpochSecond(0, 999_999))).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(JsValues.isoString(Instant.ofEpochSecond(-1, 999_999))).isEqualTo("1969-12-31T23:59:59.000Z");
    assertThatThrownBy(() -> JsValues.isoString(Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truthy_asJavaScriptsIf() {
    // Boolean(v) in JavaScript for each value.
    for (Object falsy : new Object[] {null, false, 0, 0L, 0.0, -0.0, Double.NaN, ""}) {
      assertThat(JsValues.truthy(falsy)).as(String.valueOf(falsy)).isFalse();
    }
    for (Object truthy : new Object[] {true, 1, -1, 0.5, "0", "false", " ", List.of(), Map.of()}) {
      assertThat(JsValues.truthy(truthy)).as(String.valueOf(truthy)).isTrue();
    }
  }
}
