package com.joyent.mockcloud.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.joyent.mockcloud.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BunyanEncoderTest {
  @Test
  void encode_writesOneBunyanRecordPerLine() {
    LoggerContext ctx = new LoggerContext();
    LoggingEvent e = new LoggingEvent("x", ctx.getLogger("com.joyent.mockcloud.cnagent.Heartbeater"), Level.WARN,
        "heartbeat failed: {}", new RuntimeException("boom"), new Object[] {"ECONNREFUSED"});
    e.setMDCPropertyMap(Map.of("server_uuid", "5c1b6f2e-0a3e-4d33-9a51-2f5d3b8d8f10"));
    BunyanEncoder enc = new BunyanEncoder();

    String line = new String(enc.encode(e), StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n").doesNotContain("\n\n");
    assertThat(line.strip()).doesNotContain("\n");
    Map<String, Object> rec = Json.parseObject(line);
    // The fields the bunyan CLI needs, with bunyan's types.
    assertThat(rec.get("name")).isEqualTo("mockcloud");
    assertThat(rec.get("hostname")).isInstanceOf(String.class);
    assertThat(rec.get("pid")).isInstanceOf(Number.class);
    assertThat(rec.get("level")).isEqualTo(40);
    assertThat(rec.get("msg")).isEqualTo("heartbeat failed: ECONNREFUSED");
    assertThat((String) rec.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(rec.get("v")).isEqualTo(0);
    assertThat(rec.get("server_uuid")).isEqualTo("5c1b6f2e-0a3e-4d33-9a51-2f5d3b8d8f10");
    assertThat(rec.get("component")).isEqualTo("Heartbeater");
    @SuppressWarnings("unchecked")
    Map<String, Object> err = (Map<String, Object>) rec.get("err");
    assertThat(err).containsEntry("message", "boom").containsKey("stack");
  }

  @Test
  void levels_mapToBunyanNumbers() {
    assertThat(BunyanEncoder.bunyanLevel(Level.TRACE)).isEqualTo(10);
    assertThat(BunyanEncoder.bunyanLevel(Level.DEBUG)).isEqualTo(20);
    assertThat(BunyanEncoder.bunyanLevel(Level.INFO)).isEqualTo(30);
    assertThat(BunyanEncoder.bunyanLevel(Level.WARN)).isEqualTo(40);
    assertThat(BunyanEncoder.bunyanLevel(Level.ERROR)).isEqualTo(50);
  }
}
