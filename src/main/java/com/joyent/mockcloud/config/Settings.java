package com.joyent.mockcloud.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The resolved settings of one command, immutable. Components are null where no source set
 * them and no default exists; {@code require*} accessors then fail with one line naming the
 * setting and how to set it. API URLs not set explicitly are derived the way Triton names
 * its services, {@code http://<api>.<datacenter>.<dns domain>}. The task-log bounds always
 * have a value (docs/settings.md gives the defaults and why). {@code fleetTraits} are the CNAPI
 * traits every CN without a traits.json of its own asserts at start, or null for none.
 */
public record Settings(
    Path root,
    String datacenter,
    String dnsDomain,
    UUID adminUuid,
    String bindIp,
    URI cnapiUrl,
    URI vmapiUrl,
    URI napiUrl,
    URI sapiUrl,
    URI imgapiUrl,
    Duration taskLogMaxAge,
    int taskLogMaxFiles,
    Map<String, Object> fleetTraits,
    URI fwapiUrl,
    int fwapiFastPort,
    DhcpSettings dhcp) {

  /** The port FWAPI's fast-messages server listens on (sdc-fwapi's {@code fast.port}). */
  public static final int DEFAULT_FWAPI_FAST_PORT = 2020;
  public static final Path DEFAULT_ROOT = Path.of("/data/mockcloud");
  public static final String DEFAULT_BIND_IP = "127.0.0.1";
  /** A week, what a SmartOS CN keeps of its task logs (logadm: 168 hourly rotations). */
  public static final Duration DEFAULT_TASK_LOG_MAX_AGE = Duration.ofDays(7);
  /** Per CN: 10,000 CNs then hold at most 2 million task logs. */
  public static final int DEFAULT_TASK_LOG_MAX_FILES = 200;

  /** Settings with the default task-log bounds. */
  public Settings(Path root, String datacenter, String dnsDomain, UUID adminUuid, String bindIp, URI cnapiUrl,
      URI vmapiUrl, URI napiUrl, URI sapiUrl, URI imgapiUrl) {
    this(root, datacenter, dnsDomain, adminUuid, bindIp, cnapiUrl, vmapiUrl, napiUrl, sapiUrl, imgapiUrl,
        DEFAULT_TASK_LOG_MAX_AGE, DEFAULT_TASK_LOG_MAX_FILES, null, null, DEFAULT_FWAPI_FAST_PORT, null);
  }

  /** Settings without fleet traits. */
  public Settings(Path root, String datacenter, String dnsDomain, UUID adminUuid, String bindIp, URI cnapiUrl,
      URI vmapiUrl, URI napiUrl, URI sapiUrl, URI imgapiUrl, Duration taskLogMaxAge, int taskLogMaxFiles) {
    this(root, datacenter, dnsDomain, adminUuid, bindIp, cnapiUrl, vmapiUrl, napiUrl, sapiUrl, imgapiUrl,
        taskLogMaxAge, taskLogMaxFiles, null, null, DEFAULT_FWAPI_FAST_PORT, null);
  }

  /** Settings as before DHCP: admin IPs from NAPI. */
  public Settings(Path root, String datacenter, String dnsDomain, UUID adminUuid, String bindIp, URI cnapiUrl,
      URI vmapiUrl, URI napiUrl, URI sapiUrl, URI imgapiUrl, Duration taskLogMaxAge, int taskLogMaxFiles,
      Map<String, Object> fleetTraits, URI fwapiUrl, int fwapiFastPort) {
    this(root, datacenter, dnsDomain, adminUuid, bindIp, cnapiUrl, vmapiUrl, napiUrl, sapiUrl, imgapiUrl,
        taskLogMaxAge, taskLogMaxFiles, fleetTraits, fwapiUrl, fwapiFastPort, null);
  }

  public Settings {
    dhcp = dhcp == null ? DhcpSettings.OFF : dhcp;
    fleetTraits = fleetTraits == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fleetTraits));
  }

  /** {@code <root>/servers}, the SERVER_ROOT of the reference. */
  public Path serversDir() {
    return root.resolve("servers");
  }

  public String requireDatacenter() {
    return require(datacenter, Setting.DATACENTER);
  }

  public String requireDnsDomain() {
    return require(dnsDomain, Setting.DNS_DOMAIN);
  }

  public UUID requireAdminUuid() {
    return require(adminUuid, Setting.ADMIN_UUID);
  }

  public URI requireCnapiUrl() {
    return requireUrl(cnapiUrl, Setting.CNAPI_URL);
  }

  public URI requireVmapiUrl() {
    return requireUrl(vmapiUrl, Setting.VMAPI_URL);
  }

  public URI requireNapiUrl() {
    return requireUrl(napiUrl, Setting.NAPI_URL);
  }

  public URI requireSapiUrl() {
    return requireUrl(sapiUrl, Setting.SAPI_URL);
  }

  public URI requireFwapiUrl() {
    return requireUrl(fwapiUrl, Setting.FWAPI_URL);
  }

  public URI requireImgapiUrl() {
    return requireUrl(imgapiUrl, Setting.IMGAPI_URL);
  }

  private static <T> T require(T value, Setting s) {
    if (value == null) {
      throw new SettingsException("missing setting " + s.configKey() + " (set " + s.howToSet() + ")");
    }
    return value;
  }

  private static URI requireUrl(URI value, Setting s) {
    if (value == null) {
      throw new SettingsException("missing setting " + s.configKey() + " (set " + s.flag() + " / " + s.envVar()
          + " / config \"" + s.configKey() + "\", or both datacenter and dnsDomain to derive it)");
    }
    return value;
  }
}
