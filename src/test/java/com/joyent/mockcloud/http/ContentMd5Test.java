package com.joyent.mockcloud.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentMd5Test {
  @Test
  void isTheBase64OfTheMd5_asRestifySendsIt() {
    // echo -n '{"a":1}' | openssl md5 -binary | base64
    assertThat(ContentMd5.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo("u2y1xo30ZSlByvZSo2by2A==");
    assertThat(ContentMd5.of(new byte[0])).isEqualTo("1B2M2Y8AsgTpgAmY7PhCfg==");
    // the per-thread digest is reset between calls
    assertThat(ContentMd5.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo("u2y1xo30ZSlByvZSo2by2A==");
  }
}
