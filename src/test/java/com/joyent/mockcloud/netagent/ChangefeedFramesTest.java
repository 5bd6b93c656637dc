package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangefeedFramesTest {
  private static final String ITEM = "{\"changeKind\":{\"resource\":\"nic\",\"subResources\":[\"create\"]},"
      + "\"changedResourceId\":\"90:b8:d0:00:00:01\",\"cn_uuid\":\"c\"}";

  @Test
  void theSameFrameText_isParsedOnce_andSharedReadOnly() {
    ChangefeedFrames frames = new ChangefeedFrames(4);
    Object a = frames.parse(ITEM);
    Object b = frames.parse(new String(ITEM.toCharArray())); // another socket's copy of the text
    assertThat(b).isSameAs(a);
    assertThat(a).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) a).get("changedResourceId")).isEqualTo("90:b8:d0:00:00:01");
    assertThatThrownBy(() -> ((Map<String, Object>) a).put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void staysBounded_andRejectsNonJson() {
    ChangefeedFrames frames = new ChangefeedFrames(4);
    for (int i = 0; i < 10; i++) {
      frames.parse("{\"n\":" + i + "}");
    }
    assertThat(frames.size()).isLessThanOrEqualTo(4);
    assertThat(frames.parse("{\"n\":9}")).isEqualTo(Map.of("n", 9));
    assertThatThrownBy(() -> frames.parse("not json")).isInstanceOf(Json.JsonFormatException.class);
  }
}
