package com.joyent.mockcloud.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsValuesTest {
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
