package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-memory VM encoding round-trips exactly and stays small. */
class VmBlobTest {
  @Test
  void encode_typicalVm_roundTripsKeyOrderAndIsSmall() {
    Map<String, Object> vm = VmStoreFootprint.typicalVm(VmFixtures.newUuid(), VmFixtures.S);
    byte[] json = Json.compactBytes(vm);

    byte[] blob = VmBlob.encode(vm);

    assertThat(VmBlob.decode(blob)).isEqualTo(vm);
    assertThat(List.copyOf(VmBlob.decode(blob).keySet())).isEqualTo(List.copyOf(vm.keySet()));
    assertThat(VmBlob.json(blob)).isEqualTo(json);
    assertThat(blob.length).isLessThan(json.length / 3);
  }

  @Test
  void encode_tinyVm_staysPlainJson() {
    Map<String, Object> vm = new LinkedHashMap<>(Map.of("uuid", "x"));
    byte[] blob = VmBlob.encode(vm);
    assertThat(blob[0]).isEqualTo((byte) '{');
    assertThat(VmBlob.decode(blob)).isEqualTo(vm);
  }

  @Test
  void encode_largeAndUnicodeValues_roundTrip() {
    Map<String, Object> vm = VmStoreFootprint.typicalVm(VmFixtures.newUuid(), VmFixtures.S);
    vm.put("customer_metadata", Map.of("user-script", "x".repeat(100_000), "motd", "héllo \u2603 \"quoted\""));
    vm.put("quota", 1.5);
    vm.put("big", 12345678901234L);
    byte[] blob = VmBlob.encode(vm);
    assertThat(VmBlob.decode(blob)).isEqualTo(Json.parseObject(Json.compactBytes(vm)));
  }
}
