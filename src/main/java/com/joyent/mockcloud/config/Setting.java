package com.joyent.mockcloud.config;

/**
 * Every setting the daemon and its tools read, with the name it has in each source.
 * The names are a public contract: nightly CI scripts use them.
 */
public enum Setting {
  ROOT("--root", "MOCKCLOUD_ROOT", "root", "mockcloudRoot"),
  DATACENTER("--datacenter", "MOCKCLOUD_DATACENTER", "datacenter", "sdc:datacenter_name"),
  DNS_DOMAIN("--dns-domain", "MOCKCLOUD_DNS_DOMAIN", "dnsDomain", "dnsDomain"),
  ADMIN_UUID("--admin-uuid", "MOCKCLOUD_ADMIN_UUID", "adminUuid", "ufdsAdmin"),
  BIND_IP("--bind-ip", "MOCKCLOUD_BIND_IP", "bindIp", "sdc:nics"),
  CNAPI_URL("--cnapi-url", "MOCKCLOUD_CNAPI_URL", "cnapiUrl", null),
  VMAPI_URL("--vmapi-url", "MOCKCLOUD_VMAPI_URL", "vmapiUrl", null),
  NAPI_URL("--napi-url", "MOCKCLOUD_NAPI_URL", "napiUrl", null),
  SAPI_URL("--sapi-url", "MOCKCLOUD_SAPI_URL", "sapiUrl", null),
  IMGAPI_URL("--imgapi-url", "MOCKCLOUD_IMGAPI_URL", "imgapiUrl", null),
  TASK_LOG_MAX_AGE("--task-log-max-age", "MOCKCLOUD_TASK_LOG_MAX_AGE", "taskLogMaxAge", null),
  TASK_LOG_MAX_FILES("--task-log-max-files", "MOCKCLOUD_TASK_LOG_MAX_FILES", "taskLogMaxFiles", null),
  FLEET_TRAITS("--fleet-traits", "MOCKCLOUD_FLEET_TRAITS", "fleetTraits", null),
  FWAPI_URL("--fwapi-url", "MOCKCLOUD_FWAPI_URL", "fwapiUrl", null),
  FWAPI_FAST_PORT("--fwapi-fast-port", "MOCKCLOUD_FWAPI_FAST_PORT", "fwapiFastPort", null),
  ADMIN_IP_SOURCE("--admin-ip-source", "MOCKCLOUD_ADMIN_IP_SOURCE", "adminIpSource", null),
  DHCP_SERVER("--dhcp-server", "MOCKCLOUD_DHCP_SERVER", "dhcpServer", null),
  DHCP_BIND("--dhcp-bind", "MOCKCLOUD_DHCP_BIND", "dhcpBind", null),
  DHCP_RATE("--dhcp-rate", "MOCKCLOUD_DHCP_RATE", "dhcpRate", null);

  private final String flag;
  private final String envVar;
  private final String configKey;
  private final String mdataKey;

  Setting(String flag, String envVar, String configKey, String mdataKey) {
    this.flag = flag;
    this.envVar = envVar;
    this.configKey = configKey;
    this.mdataKey = mdataKey;
  }

  public String flag() {
    return flag;
  }

  public String envVar() {
    return envVar;
  }

  public String configKey() {
    return configKey;
  }

  /** The zone metadata key, or null where zone metadata has none. */
  public String mdataKey() {
    return mdataKey;
  }

  /** How to set it, for error messages: {@code --root / MOCKCLOUD_ROOT / "root"}. */
  public String howToSet() {
    return flag + " / " + envVar + " / config \"" + configKey + "\""
        + (mdataKey == null ? "" : " / zone metadata " + mdataKey);
  }

  public static Setting byConfigKey(String key) {
    for (Setting s : values()) {
      if (s.configKey.equals(key)) {
        return s;
      }
    }
    return null;
  }
}
