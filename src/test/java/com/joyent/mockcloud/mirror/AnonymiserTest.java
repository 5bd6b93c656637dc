package com.joyent.mockcloud.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code --anonymise} replaces, that it does so consistently within one export, and what it keeps. */
class AnonymiserTest {
  private static final String OWNER = "7b3e7f30-8c9d-4e0f-9a11-3c4d5e6f7081";

  private static MirrorArchive archive() {
    Map<String, Object> net = new LinkedHashMap<>();
    net.put("uuid", "6c2d6e2f-7b8c-4d9e-8f10-2b3c4d5e6f70");
    net.put("name", "public");
    net.put("subnet", "165.225.128.0/22");
    net.put("gateway", "165.225.128.1");
    net.put("provision_start_ip", "165.225.128.10");
    net.put("provision_end_ip", "165.225.131.250");
    net.put("resolvers", List.of("8.8.8.8", "10.0.0.11"));
    net.put("owner_uuids", List.of(OWNER));
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("uuid", "0b6a1e52-7d3e-4f0a-8a8b-1c2d3e4f5a6b");
    vm.put("alias", "acme-billing-db");
    vm.put("owner_uuid", OWNER);
    vm.put("customer_metadata", new LinkedHashMap<>(Map.of("root_authorized_keys", "ssh-rsa AAAA secret")));
    vm.put("tags", Map.of("role", "db"));
    vm.put("nics", List.of(new LinkedHashMap<>(Map.of("ip", "165.225.129.7", "netmask", "255.255.252.0",
        "gateway", "165.225.128.1", "mac", "90:b8:d0:aa:bb:02"))));
    vm.put("resolvers", List.of("8.8.8.8"));
    Map<String, Object> admin = new LinkedHashMap<>(Map.of("ip", "10.0.0.7", "owner_uuid", OWNER,
        "mac", "00:10:fe:00:00:01"));
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("uuid", "564d0a1e-8b1a-4c7e-9a39-2a1f0c2b9d01");
    server.put("hostname", "acme-prod-17");
    server.put("sysinfo", new LinkedHashMap<>(Map.of("Hostname", "acme-prod-17", "Admin IP", "10.0.0.7")));
    return MirrorArchive.of(Map.of("datacenter", "us-east-1", "cnapi", "http://cnapi.us-east-1.acme.com"),
        "2026-12-08T00:00:00Z", false, Map.of("networks", List.of(net), "vms", List.of(vm), "nics", List.of(admin),
            "servers", List.of(server)));
  }

  @Test
  void replacesOwnersAliasesHostnamesMetadataAndPublicAddresses_consistently() {
    MirrorArchive out = Anonymiser.withRandomKey().apply(archive());
    Map<String, Object> net = out.section("networks").get(0);
    Map<String, Object> vm = out.section("vms").get(0);
    Map<String, Object> server = out.section("servers").get(0);
    String text = Json.compact(List.of(out.section("networks"), out.section("vms"), out.section("nics"),
        out.section("servers"), out.source()));
    assertThat(text).doesNotContain(OWNER, "acme", "secret", "165.225.", "8.8.8.8");
    assertThat(out.anonymised()).isTrue();
    // The same owner is the same new uuid everywhere; the same address the same new address.
    String owner = (String) vm.get("owner_uuid");
    assertThat(owner).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(net.get("owner_uuids")).isEqualTo(List.of(owner));
    assertThat(out.section("nics").get(0)).containsEntry("owner_uuid", owner);
    // The public /22 moves to a /22 of 198.18.0.0/15, keeping every offset.
    assertThat(net).containsEntry("subnet", "198.18.0.0/22").containsEntry("gateway", "198.18.0.1")
        .containsEntry("provision_start_ip", "198.18.0.10").containsEntry("provision_end_ip", "198.18.3.250");
    @SuppressWarnings("unchecked")
    Map<String, Object> nic = ((List<Map<String, Object>>) vm.get("nics")).get(0);
    assertThat(nic).containsEntry("ip", "198.18.1.7").containsEntry("gateway", "198.18.0.1")
        .containsEntry("netmask", "255.255.252.0").containsEntry("mac", "90:b8:d0:aa:bb:02");
    // A public address outside every network: one new address, the same in both places.
    String resolver = (String) ((List<?>) net.get("resolvers")).get(0);
    assertThat(resolver).startsWith("198.19.");
    assertThat(vm.get("resolvers")).isEqualTo(List.of(resolver));
    // Private addresses, tags, uuids and the datacenter name are kept.
    assertThat(((List<?>) net.get("resolvers")).get(1)).isEqualTo("10.0.0.11");
    assertThat(out.section("nics").get(0)).containsEntry("ip", "10.0.0.7");
    assertThat(vm).containsEntry("tags", Map.of("role", "db")).containsEntry("uuid", "0b6a1e52-7d3e-4f0a-8a8b-1c2d3e4f5a6b");
    assertThat(out.datacenter()).isEqualTo("us-east-1");
    // Aliases, hostnames and metadata values are replaced, the same hostname the same way.
    assertThat((String) vm.get("alias")).matches("vm-[0-9a-f]{8}");
    assertThat(server.get("hostname")).isEqualTo(((Map<?, ?>) server.get("sysinfo")).get("Hostname"));
    assertThat((String) server.get("hostname")).matches("cn-[0-9a-f]{8}");
    assertThat((String) ((Map<?, ?>) vm.get("customer_metadata")).get("root_authorized_keys")).startsWith("anon-");
  }

  @Test
  void twoExportsGetDifferentReplacements() {
    MirrorArchive a = Anonymiser.withRandomKey().apply(archive());
    MirrorArchive b = Anonymiser.withRandomKey().apply(archive());
    assertThat(a.section("vms").get(0).get("owner_uuid")).isNotEqualTo(b.section("vms").get(0).get("owner_uuid"));
    assertThat(archive().section("vms").get(0)).containsEntry("alias", "acme-billing-db"); // the input is not changed
  }
}
