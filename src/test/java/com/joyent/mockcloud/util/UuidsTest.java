package com.joyent.mockcloud.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidsTest {
  @Test
  void acceptsTheCanonicalLowercaseForm() {
    assertThat(Uuids.isUuid("930896af-bf8c-48d4-885c-6573a94b1853")).isTrue();
    assertThat(Uuids.isUuid("00000000-0000-0000-0000-000000000000")).isTrue();
    for (int i = 0; i < 1000; i++) {
      assertThat(Uuids.isUuid(UUID.randomUUID().toString())).isTrue();
    }
  }

  @Test
  void rejectsEverythingElse() {
    assertThat(Uuids.isUuid(null)).isFalse();
    assertThat(Uuids.isUuid("")).isFalse();
    assertThat(Uuids.isUuid("930896AF-bf8c-48d4-885c-6573a94b1853")).as("upper case").isFalse();
    assertThat(Uuids.isUuid("930896af-bf8c-48d4-885c-6573a94b185")).as("short").isFalse();
    assertThat(Uuids.isUuid("930896af-bf8c-48d4-885c-6573a94b18531")).as("long").isFalse();
    assertThat(Uuids.isUuid("930896afbbf8c-48d4-885c-6573a94b1853")).as("no first hyphen").isFalse();
    assertThat(Uuids.isUuid("930896af-bf8c-48d4-885c6-573a94b1853")).as("hyphen moved").isFalse();
    assertThat(Uuids.isUuid("930896ag-bf8c-48d4-885c-6573a94b1853")).as("not hex").isFalse();
    assertThat(Uuids.isUuid("930896af-bf8c-48d4-885c-6573a94b1853.json")).isFalse();
    assertThat(Uuids.isUuid(".staging-930896af-bf8c-48d4-885c-6573")).isFalse();
  }
}
