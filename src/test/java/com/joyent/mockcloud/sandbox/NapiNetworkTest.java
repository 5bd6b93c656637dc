package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.testing.TestClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NapiNetworkTest {
  private static final String ADMIN = SandboxOptions.DEFAULT_ADMIN_UUID;

  private static NapiNetwork tiny() {
    Ipv4.Cidr c = Ipv4.Cidr.parse("10.0.0.0/29");
    return new NapiNetwork("11111111-1111-4111-8111-111111111111", "tiny", c, c.base() + 2, c.base() + 4, null,
        List.of(), "admin", 0, 1500);
  }

  @Test
  void allocate_lowestNeverUsedFirst_thenLeastRecentlyReleased() {
    NapiNetwork n = tiny();
    assertThat(Ipv4.format(n.allocate("a"))).isEqualTo("10.0.0.2");
    assertThat(Ipv4.format(n.allocate("b"))).isEqualTo("10.0.0.3");
    n.release(Ipv4.parse("10.0.0.2"));
    assertThat(Ipv4.format(n.allocate("c"))).isEqualTo("10.0.0.4"); // never-used beats released
    n.release(Ipv4.parse("10.0.0.4"));
    n.release(Ipv4.parse("10.0.0.3"));
    assertThat(Ipv4.format(n.allocate("d"))).isEqualTo("10.0.0.2");
    assertThat(Ipv4.format(n.allocate("e"))).isEqualTo("10.0.0.4");
    assertThat(Ipv4.format(n.allocate("f"))).isEqualTo("10.0.0.3");
    assertThat(n.allocate("g")).isNull();
  }

  @Test
  void allocate_skipsExplicitlyClaimedAddresses() {
    NapiNetwork n = tiny();
    n.claim(Ipv4.parse("10.0.0.2"), "x");
    assertThat(Ipv4.format(n.allocate("a"))).isEqualTo("10.0.0.3");
  }

  @Test
  void provision_fullNetwork_is507SubnetFull() {
    NapiNetwork n = tiny();
    NicStore store = new NicStore(TestClock.frozen(), new NicTagStore(), List.of(n));
    Map<String, Object> p = Map.of("belongs_to_type", "other", "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN);
    for (int i = 0; i < 3; i++) {
      store.create(p, "tiny");
    }
    assertThatThrownBy(() -> store.create(p, "tiny")).isInstanceOfSatisfying(RestError.class, e -> {
      assertThat(e.status()).isEqualTo(507);
      assertThat(e.body()).containsEntry("code", "SubnetFull").containsEntry("message", "no more free IPs")
          .containsEntry("network_uuid", n.uuid);
    });
  }

  @Test
  void adminNetwork_hostsTenThousandCns() {
    NicStore store = new NicStore(TestClock.frozen(), new NicTagStore(),
        List.of(NapiNetwork.standard("22222222-2222-4222-8222-222222222222", "admin", "10.99.0.0/16", "admin", false)));
    Map<String, Object> p = Map.of("belongs_to_type", "other", "belongs_to_uuid", ADMIN, "owner_uuid", ADMIN);
    Map<String, Object> last = null;
    for (int i = 0; i < 10_000; i++) {
      last = store.create(p, "admin");
    }
    // 10,000 addresses from .10 on, skipping the reserved resolver .11.
    assertThat(last).containsEntry("ip", Ipv4.format(Ipv4.parse("10.99.0.10") + 10_000));
    assertThat(store.size()).isEqualTo(10_000);
  }

  @Test
  void normalizeMac_acceptsBareDashedColonForms() {
    assertThat(NicStore.normalizeMac("0010FE000037")).isEqualTo("00:10:fe:00:00:37");
    assertThat(NicStore.normalizeMac("00-10-fe-00-00-37")).isEqualTo("00:10:fe:00:00:37");
    assertThat(NicStore.normalizeMac("0:10:fe:0:0:37")).isEqualTo("00:10:fe:00:00:37");
    assertThat(NicStore.normalizeMac("0010fe00003")).isNull();
    assertThat(NicStore.normalizeMac(12)).isNull();
  }
}
