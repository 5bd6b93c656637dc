package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The difference rule of spec §2.8. */
class NicFieldsTest {
  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void diff_antiSpoofFlags_comparedAsBooleans() {
    Map<String, Object> napi = map("allow_ip_spoofing", "true", "allow_mac_spoofing", "0");
    Map<String, Object> vm = map("allow_ip_spoofing", true, "allow_dhcp_spoofing", true);
    assertThat(NicFields.diff(NicFields.REMOTE, napi, vm)).isEqualTo(map("allow_dhcp_spoofing", false));
  }

  @Test
  void diff_otherFields_noTypeCoercion_missingSourceIgnored() {
    Map<String, Object> napi = map("vlan_id", "0", "mtu", 1500, "gateway", null);
    Map<String, Object> vm = map("vlan_id", 0, "mtu", 1500L, "gateway", "10.0.0.1", "netmask", "255.0.0.0");
    assertThat(NicFields.diff(NicFields.REMOTE, napi, vm)).isEqualTo(map("vlan_id", "0"));
  }

  @Test
  void diff_primary_onlyEverSetToTrue() {
    assertThat(NicFields.diff(NicFields.LOCAL, map("primary", false), map("primary", true))).isEmpty();
    assertThat(NicFields.diff(NicFields.LOCAL, map("primary", true), map("primary", false)))
        .isEqualTo(map("primary", true));
  }

  @Test
  void diff_keepsFieldOrder() {
    Map<String, Object> local = map("state", "running", "owner_uuid", "o", "cn_uuid", "c");
    assertThat(NicFields.diff(NicFields.LOCAL, local, Map.of()).keySet())
        .containsExactly("cn_uuid", "owner_uuid", "state");
  }
}
