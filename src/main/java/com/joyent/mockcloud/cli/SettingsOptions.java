package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The settings flags every command shares (names fixed: nightly CI scripts use them). */
public final class SettingsOptions {
  @Option(names = "--root", paramLabel = "DIR", description = "mockcloud root; servers live in DIR/servers (env MOCKCLOUD_ROOT, default /data/mockcloud)")
  String root;

  @Option(names = "--datacenter", paramLabel = "NAME", description = "datacenter name (env MOCKCLOUD_DATACENTER)")
  String datacenter;

  @Option(names = "--dns-domain", paramLabel = "DOMAIN", description = "DNS domain of the Triton services (env MOCKCLOUD_DNS_DOMAIN)")
  String dnsDomain;

  @Option(names = "--admin-uuid", paramLabel = "UUID", description = "UFDS admin user UUID, owner of CN NICs (env MOCKCLOUD_ADMIN_UUID)")
  String adminUuid;

  @Option(names = "--bind-ip", paramLabel = "IP", description = "IP the mock agents listen on (env MOCKCLOUD_BIND_IP, default 127.0.0.1)")
  String bindIp;

  @Option(names = "--cnapi-url", paramLabel = "URL", description = "CNAPI base URL (env MOCKCLOUD_CNAPI_URL, default http://cnapi.<dc>.<domain>)")
  String cnapiUrl;

  @Option(names = "--vmapi-url", paramLabel = "URL", description = "VMAPI base URL (env MOCKCLOUD_VMAPI_URL)")
  String vmapiUrl;

  @Option(names = "--napi-url", paramLabel = "URL", description = "NAPI base URL (env MOCKCLOUD_NAPI_URL)")
  String napiUrl;

  @Option(names = "--sapi-url", paramLabel = "URL", description = "SAPI base URL (env MOCKCLOUD_SAPI_URL)")
  String sapiUrl;

  @Option(names = "--fwapi-url", paramLabel = "URL", description = "FWAPI base URL (env MOCKCLOUD_FWAPI_URL)")
  String fwapiUrl;

  @Option(names = "--fwapi-fast-port", paramLabel = "PORT", description = "FWAPI's fast-messages port on the FWAPI URL's host, where firewallers connect (env MOCKCLOUD_FWAPI_FAST_PORT, default 2020)")
  String fwapiFastPort;

  @Option(names = "--imgapi-url", paramLabel = "URL", description = "IMGAPI base URL (env MOCKCLOUD_IMGAPI_URL)")
  String imgapiUrl;

  @Option(names = "--task-log-max-age", paramLabel = "AGE", description = "remove a CN's task logs older than AGE, e.g. 7d, 12h, 90s (env MOCKCLOUD_TASK_LOG_MAX_AGE, default 7d)")
  String taskLogMaxAge;

  @Option(names = "--task-log-max-files", paramLabel = "N", description = "keep at most N task logs per CN, the newest (env MOCKCLOUD_TASK_LOG_MAX_FILES, default 200)")
  String taskLogMaxFiles;

  @Option(names = "--fleet-traits", paramLabel = "JSON", description = "CNAPI traits every CN without a traits.json of its own asserts at start, e.g. '{\"mockcloud\": true}' (env MOCKCLOUD_FLEET_TRAITS)")
  String fleetTraits;

  @Option(names = "--admin-ip-source", paramLabel = "napi|dhcp", description = "where CNs get their admin IPs: from NAPI at create-server (default) or through DHCP at every boot, as from booter (env MOCKCLOUD_ADMIN_IP_SOURCE; docs/booter.md)")
  String adminIpSource;

  @Option(names = "--dhcp-server", paramLabel = "IP[:PORT]", description = "where DHCP DISCOVERs go: booter's address, or the admin network's broadcast address (env MOCKCLOUD_DHCP_SERVER, default 255.255.255.255:67)")
  String dhcpServer;

  @Option(names = "--dhcp-bind", paramLabel = "IP[:PORT]", description = "the DHCP clients' socket (env MOCKCLOUD_DHCP_BIND, default 0.0.0.0:68)")
  String dhcpBind;

  @Option(names = "--dhcp-rate", paramLabel = "N", description = "at most N DHCP messages a second from the whole daemon (env MOCKCLOUD_DHCP_RATE, default 200)")
  String dhcpRate;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON file with settings in camelCase keys (root, datacenter, dnsDomain, adminUuid, bindIp, cnapiUrl, ...)")
  Path config;

  /** The flags that were given, keyed by setting. */
  Map<Setting, String> flags() {
    EnumMap<Setting, String> m = new EnumMap<>(Setting.class);
    put(m, Setting.ROOT, root);
    put(m, Setting.DATACENTER, datacenter);
    put(m, Setting.DNS_DOMAIN, dnsDomain);
    put(m, Setting.ADMIN_UUID, adminUuid);
    put(m, Setting.BIND_IP, bindIp);
    put(m, Setting.CNAPI_URL, cnapiUrl);
    put(m, Setting.VMAPI_URL, vmapiUrl);
    put(m, Setting.NAPI_URL, napiUrl);
    put(m, Setting.SAPI_URL, sapiUrl);
    put(m, Setting.IMGAPI_URL, imgapiUrl);
    put(m, Setting.TASK_LOG_MAX_AGE, taskLogMaxAge);
    put(m, Setting.TASK_LOG_MAX_FILES, taskLogMaxFiles);
    put(m, Setting.FLEET_TRAITS, fleetTraits);
    put(m, Setting.FWAPI_URL, fwapiUrl);
    put(m, Setting.FWAPI_FAST_PORT, fwapiFastPort);
    put(m, Setting.ADMIN_IP_SOURCE, adminIpSource);
    put(m, Setting.DHCP_SERVER, dhcpServer);
    put(m, Setting.DHCP_BIND, dhcpBind);
    put(m, Setting.DHCP_RATE, dhcpRate);
    return m;
  }

  private static void put(Map<Setting, String> m, Setting s, String v) {
    if (v != null) {
      m.put(s, v);
    }
  }

  /** Resolves flags, environment, config file and zone metadata into settings. */
  Settings settings() {
    return SettingsLoader.load(flags(), config);
  }
}
