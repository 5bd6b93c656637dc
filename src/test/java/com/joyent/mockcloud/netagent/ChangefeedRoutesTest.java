package com.joyent.mockcloud.netagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The shared changefeed's index: an item goes to the CNs it may concern, and to no other. */
class ChangefeedRoutesTest {
  private final ChangefeedRoutes routes = new ChangefeedRoutes();
  private final CnSync a = cn();
  private final CnSync b = cn();
  private final CnSync c = cn();

  private static CnSync cn() {
    return new CnSync(UUID.randomUUID().toString(), "admin", null, NetAgentOptions.fast(), null, null, null, null);
  }

  private List<String> targets(Map<String, Object> item) {
    List<CnSync> out = new ArrayList<>();
    int n = routes.route(item, out::add);
    assertThat(n).isEqualTo(out.size());
    return out.stream().map(s -> s == a ? "a" : s == b ? "b" : s == c ? "c" : "?").toList();
  }

  private static Map<String, Object> item(String resource, String id, String... keyValues) {
    Map<String, Object> item = FakeNapi.item(resource, List.of("create"), id);
    for (int i = 0; i < keyValues.length; i += 2) {
      item.put(keyValues[i], keyValues[i + 1]);
    }
    return item;
  }

  @Test
  void nicItem_goesToTheCnsTrackingTheMac_only() {
    routes.addCn(a);
    routes.addCn(b);
    routes.addCn(c);
    routes.addNic("90:b8:d0:00:00:01", a);
    routes.addNic("90:b8:d0:00:00:02", b);
    assertThat(targets(item("nic", "90:B8:D0:00:00:01", "cn_uuid", UUID.randomUUID().toString()))).containsExactly("a");
    assertThat(targets(item("nic", "90:b8:d0:00:00:02"))).containsExactly("b");
    assertThat(targets(item("nic", "90:b8:d0:00:00:03"))).isEmpty();
  }

  @Test
  void nicItem_untrackedMac_goesToTheCnNamedByCnUuid_once() {
    routes.addCn(a);
    routes.addCn(b);
    routes.addNic("90:b8:d0:00:00:01", a);
    assertThat(targets(item("nic", "90:b8:d0:00:00:09", "cn_uuid", b.cn))).containsExactly("b");
    assertThat(targets(item("nic", "90:b8:d0:00:00:01", "cn_uuid", a.cn))).containsExactly("a");
    assertThat(targets(item("nic", "90:b8:d0:00:00:01", "cn_uuid", b.cn))).containsExactly("a", "b");
  }

  @Test
  void nicTrackedByTwoCns_goesToBoth_untilOneForgetsIt() {
    routes.addNic("90:b8:d0:00:00:01", a);
    routes.addNic("90:b8:d0:00:00:01", b);
    routes.addNic("90:b8:d0:00:00:01", b);
    assertThat(targets(item("nic", "90:b8:d0:00:00:01"))).containsExactly("a", "b");
    routes.removeNic("90:b8:d0:00:00:01", a);
    assertThat(targets(item("nic", "90:b8:d0:00:00:01"))).containsExactly("b");
    routes.removeNic("90:b8:d0:00:00:01", a); // not tracked by a any more: nothing changes
    assertThat(targets(item("nic", "90:b8:d0:00:00:01"))).containsExactly("b");
    routes.removeNic("90:b8:d0:00:00:01", b);
    assertThat(targets(item("nic", "90:b8:d0:00:00:01"))).isEmpty();
    assertThat(routes.macs()).isZero();
  }

  @Test
  void networkItem_goesToEveryCnTrackingTheNetwork() {
    String net = UUID.randomUUID().toString();
    routes.addNetwork(net, a);
    routes.addNetwork(net, c);
    assertThat(targets(item("network", net))).containsExactlyInAnyOrder("a", "c");
    routes.removeNetwork(net, a);
    assertThat(targets(item("network", net))).containsExactly("c");
    assertThat(targets(item("network", UUID.randomUUID().toString()))).isEmpty();
  }

  @Test
  void aggregationItem_goesToTheOwningCn_byBelongsToOrById() {
    routes.addCn(a);
    routes.addCn(b);
    assertThat(targets(item("aggregation", a.cn + "-aggr0", "belongs_to_uuid", a.cn, "name", "aggr0")))
        .containsExactly("a");
    assertThat(targets(item("aggregation", b.cn + "-aggr0", "name", "aggr0"))).containsExactly("b");
    assertThat(targets(item("aggregation", UUID.randomUUID() + "-aggr0", "name", "aggr0"))).isEmpty();
  }

  @Test
  void otherResources_andItemsWithoutId_goNowhere() {
    routes.addCn(a);
    routes.addNic("90:b8:d0:00:00:01", a);
    assertThat(targets(item("nic_tag", "external"))).isEmpty();
    Map<String, Object> noId = new LinkedHashMap<>(item("nic", "90:b8:d0:00:00:01"));
    noId.remove("changedResourceId");
    assertThat(targets(noId)).isEmpty();
  }

  @Test
  void removeCn_forgetsItsMacsNetworksAndUuid() {
    String net = UUID.randomUUID().toString();
    routes.addCn(a);
    routes.addCn(b);
    routes.addNic("90:b8:d0:00:00:01", a);
    routes.addNetwork(net, a);
    routes.addNetwork(net, b);
    routes.removeCn(a, List.of("90:b8:d0:00:00:01"), List.of(net));
    assertThat(targets(item("nic", "90:b8:d0:00:00:01", "cn_uuid", a.cn))).isEmpty();
    assertThat(targets(item("network", net))).containsExactly("b");
    assertThat(routes.cns()).containsExactly(b);
  }
}
