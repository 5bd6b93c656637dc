package com.joyent.mockcloud.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
  @TempDir Path tmp;

  private static final String ADMIN = "930896af-bf8c-48d4-885c-6573a94b1853";

  private static Map<Setting, String> flags(Object... kv) {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((Setting) kv[i], (String) kv[i + 1]);
    }
    return m;
  }

  private static ZoneMetadata zone(Map<String, String> values) {
    return key -> Optional.ofNullable(values.get(key));
  }

  private Path config(String json) throws Exception {
    Path f = tmp.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void precedence_flagBeatsEnvBeatsFileBeatsZoneBeatsDefault() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("MOCKCLOUD_DATACENTER", "fromenv");
    env.put("MOCKCLOUD_DNS_DOMAIN", "env.example.com");
    Path file = config("{\"datacenter\":\"fromfile\",\"dnsDomain\":\"file.example.com\",\"adminUuid\":\"" + ADMIN
        + "\",\"root\":\"/from/file\"}");
    ZoneMetadata z = zone(Map.of("sdc:datacenter_name", "fromzone", "dnsDomain", "zone.example.com",
        "ufdsAdmin", UUID.randomUUID().toString(), "mockcloudRoot", "/from/zone",
        "sdc:nics", "[{\"nic_tag\":\"external\",\"ip\":\"1.2.3.4\"},{\"nic_tag\":\"admin\",\"ip\":\"10.99.99.40\"}]"));

    Settings s = new SettingsLoader(flags(Setting.DATACENTER, "fromflag"), env, file, z).load();

    assertThat(s.datacenter()).isEqualTo("fromflag");
    assertThat(s.dnsDomain()).isEqualTo("env.example.com");
    assertThat(s.adminUuid()).isEqualTo(UUID.fromString(ADMIN));
    assertThat(s.root()).isEqualTo(Path.of("/from/file"));
    assertThat(s.bindIp()).isEqualTo("10.99.99.40");
    assertThat(s.cnapiUrl()).isEqualTo(URI.create("http://cnapi.fromflag.env.example.com"));
  }

  @Test
  void zoneMetadata_usedWhenNothingElseSetsIt() {
    ZoneMetadata z = zone(Map.of("sdc:datacenter_name", "coal", "dnsDomain", "joyent.us", "mockcloudRoot", "/data/mc",
        "sdc:nics", "[{\"nic_tag\":\"ADMIN_RACK_R1\",\"ip\":\"10.1.1.5\"}]"));
    Settings s = new SettingsLoader(Map.of(), Map.of(), null, z).load();
    assertThat(s.datacenter()).isEqualTo("coal");
    assertThat(s.root()).isEqualTo(Path.of("/data/mc"));
    assertThat(s.bindIp()).isEqualTo("10.1.1.5");
    assertThat(s.napiUrl()).isEqualTo(URI.create("http://napi.coal.joyent.us"));
    assertThat(s.imgapiUrl()).isEqualTo(URI.create("http://imgapi.coal.joyent.us"));
  }

  @Test
  void defaults_whenNothingIsSet() {
    Settings s = new SettingsLoader(Map.of(), Map.of(), null, ZoneMetadata.NONE).load();
    assertThat(s.root()).isEqualTo(Path.of("/data/mockcloud"));
    assertThat(s.serversDir()).isEqualTo(Path.of("/data/mockcloud/servers"));
    assertThat(s.bindIp()).isEqualTo("127.0.0.1");
    assertThat(s.cnapiUrl()).isNull();
    assertThatThrownBy(s::requireNapiUrl).isInstanceOf(SettingsException.class)
        .hasMessageContaining("napiUrl").hasMessageContaining("--napi-url");
    assertThatThrownBy(s::requireAdminUuid).isInstanceOf(SettingsException.class)
        .hasMessage("missing setting adminUuid (set --admin-uuid / MOCKCLOUD_ADMIN_UUID / config \"adminUuid\" / zone metadata ufdsAdmin)");
  }

  @Test
  void explicitUrl_winsOverDerivedAndLosesTrailingSlash() {
    Settings s = new SettingsLoader(flags(Setting.NAPI_URL, "http://127.0.0.1:8080/"),
        Map.of("MOCKCLOUD_DATACENTER", "dc", "MOCKCLOUD_DNS_DOMAIN", "d.com"), null, ZoneMetadata.NONE).load();
    assertThat(s.napiUrl()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(s.vmapiUrl()).isEqualTo(URI.create("http://vmapi.dc.d.com"));
  }

  @Test
  void invalidValues_failWithOneLineNamingTheSetting() {
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.ADMIN_UUID, "nope"), Map.of(), null, ZoneMetadata.NONE).load())
        .isInstanceOf(SettingsException.class).hasMessage("invalid setting adminUuid (--admin-uuid): \"nope\" must be a UUID");
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.BIND_IP, "example.com"), Map.of(), null, ZoneMetadata.NONE).load())
        .hasMessageContaining("bindIp");
    assertThatThrownBy(() -> new SettingsLoader(Map.of(), Map.of("MOCKCLOUD_CNAPI_URL", "ftp://x"), null, ZoneMetadata.NONE).load())
        .hasMessageContaining("cnapiUrl");
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.DATACENTER, "a b"), Map.of(), null, ZoneMetadata.NONE).load())
        .hasMessageContaining("datacenter");
  }

  @Test
  void dhcp_offByDefault_onWithItsAddressesAndRate_andBadValuesRefused() {
    Settings d = new SettingsLoader(Map.of(), Map.of(), null, ZoneMetadata.NONE).load();
    assertThat(d.dhcp().enabled()).isFalse();
    assertThat(d.dhcp().server()).isEqualTo(new java.net.InetSocketAddress("255.255.255.255", 67));
    assertThat(d.dhcp().bind()).isEqualTo(new java.net.InetSocketAddress("0.0.0.0", 68));
    Settings s = new SettingsLoader(flags(Setting.ADMIN_IP_SOURCE, "dhcp", Setting.DHCP_SERVER, "10.99.99.255",
        Setting.DHCP_BIND, "127.0.0.1:0"), Map.of("MOCKCLOUD_DHCP_RATE", "50"), null, ZoneMetadata.NONE).load();
    assertThat(s.dhcp().enabled()).isTrue();
    assertThat(s.dhcp().server()).isEqualTo(new java.net.InetSocketAddress("10.99.99.255", 67));
    assertThat(s.dhcp().bind().getPort()).isZero();
    assertThat(s.dhcp().rate()).isEqualTo(50);
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.ADMIN_IP_SOURCE, "booter"), Map.of(), null,
        ZoneMetadata.NONE).load()).hasMessage("invalid setting adminIpSource (--admin-ip-source): \"booter\" must be "
        + "napi or dhcp");
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.DHCP_SERVER, "booter.example.com:67"), Map.of(), null,
        ZoneMetadata.NONE).load()).hasMessageContaining("dhcpServer").hasMessageContaining("IPv4 address");
    assertThatThrownBy(() -> new SettingsLoader(flags(Setting.DHCP_BIND, "0.0.0.0:70000"), Map.of(), null,
        ZoneMetadata.NONE).load()).hasMessageContaining("dhcpBind");
    for (String bad : new String[] {"0", "-1", "fast", "Infinity", "NaN"}) {
      assertThatThrownBy(() -> new SettingsLoader(flags(Setting.DHCP_RATE, bad), Map.of(), null, ZoneMetadata.NONE)
          .load()).hasMessageContaining("dhcpRate");
    }
  }

  @Test
  void fleetTraits_fromAFlagOrAnObjectInTheConfigFile_andCheckedAsTraits() throws Exception {
    assertThat(new SettingsLoader(Map.of(), Map.of(), null, ZoneMetadata.NONE).load().fleetTraits()).isNull();
    assertThat(new SettingsLoader(flags(Setting.FLEET_TRAITS, "{\"mockcloud\": true}"), Map.of(), null,
        ZoneMetadata.NONE).load().fleetTraits()).isEqualTo(Map.of("mockcloud", true));
    Path file = config("{\"fleetTraits\": {\"rack\": [\"r1\"]}}");
    assertThat(new SettingsLoader(Map.of(), Map.of(), file, ZoneMetadata.NONE).load().fleetTraits())
        .isEqualTo(Map.of("rack", java.util.List.of("r1")));
    assertThatThrownBy(() -> new SettingsLoader(Map.of(), Map.of("MOCKCLOUD_FLEET_TRAITS", "{\"a\": {}}"), null,
        ZoneMetadata.NONE).load()).hasMessageContaining("invalid setting fleetTraits (--fleet-traits)")
        .hasMessageContaining("trait \"a\" must be true/false, a string or a list of strings");
  }

  @Test
  void configFile_unknownKeyOrBadJson_isRejected() throws Exception {
    Path bad = config("{\"cnapiURL\":\"http://x\"}");
    assertThatThrownBy(() -> new SettingsLoader(Map.of(), Map.of(), bad, ZoneMetadata.NONE).load())
        .hasMessageContaining("unknown key \"cnapiURL\"");
    Path notJson = config("{oops");
    assertThatThrownBy(() -> new SettingsLoader(Map.of(), Map.of(), notJson, ZoneMetadata.NONE).load())
        .hasMessageContaining("not a JSON object");
    Path missing = tmp.resolve("missing.json");
    assertThatThrownBy(() -> new SettingsLoader(Map.of(), Map.of(), missing, ZoneMetadata.NONE).load())
        .hasMessageContaining("--config");
  }

  @Test
  void ipv6BindIp_isAccepted() {
    Settings s = new SettingsLoader(flags(Setting.BIND_IP, "::1"), Map.of(), null, ZoneMetadata.NONE).load();
    assertThat(s.bindIp()).isEqualTo("::1");
  }

  @Test
  void taskLogBounds_defaultAWeekAnd200_orFromFlagsEnvAndFile() throws Exception {
    Settings none = new SettingsLoader(flags(), Map.of(), null, ZoneMetadata.NONE).load();
    assertThat(none.taskLogMaxAge()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(none.taskLogMaxFiles()).isEqualTo(200);

    Settings set = new SettingsLoader(flags(Setting.TASK_LOG_MAX_AGE, "36h"),
        Map.of("MOCKCLOUD_TASK_LOG_MAX_FILES", "1000"), config("{\"taskLogMaxAge\":\"90s\"}"), ZoneMetadata.NONE).load();
    assertThat(set.taskLogMaxAge()).isEqualTo(java.time.Duration.ofHours(36));
    assertThat(set.taskLogMaxFiles()).isEqualTo(1000);

    Settings fromFile = new SettingsLoader(flags(), Map.of(),
        config("{\"taskLogMaxAge\":\"500ms\",\"taskLogMaxFiles\":\"5\"}"), ZoneMetadata.NONE).load();
    assertThat(fromFile.taskLogMaxAge()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(fromFile.taskLogMaxFiles()).isEqualTo(5);
  }

  @Test
  void taskLogBounds_invalid_failWithOneLineNamingTheSetting() {
    for (String bad : new String[] {"0s", "7", "7 d", "-1d", "1w", "", "1.5h"}) {
      assertThatThrownBy(() -> new SettingsLoader(flags(Setting.TASK_LOG_MAX_AGE, bad), Map.of(), null,
          ZoneMetadata.NONE).load()).as(bad).isInstanceOf(SettingsException.class)
          .hasMessageStartingWith("invalid setting taskLogMaxAge (--task-log-max-age): \"" + bad + "\" must be a duration");
    }
    for (String bad : new String[] {"0", "-3", "ten", "2147483648", "99999999999"}) {
      assertThatThrownBy(() -> new SettingsLoader(flags(), Map.of("MOCKCLOUD_TASK_LOG_MAX_FILES", bad), null,
          ZoneMetadata.NONE).load()).as(bad).isInstanceOf(SettingsException.class)
          .hasMessage("invalid setting taskLogMaxFiles (--task-log-max-files): \"" + bad
              + "\" must be a whole number from 1 to 2147483647");
    }
  }
}
