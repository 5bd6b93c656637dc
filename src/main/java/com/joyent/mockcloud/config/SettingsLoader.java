package com.joyent.mockcloud.config;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link Settings} from its sources, first one that has a value wins:
 * command-line flags, environment variables, the JSON config file ({@code --config}),
 * SmartOS zone metadata (only when {@code mdata-get} exists), then defaults.
 * Every value that is present is validated, whichever command needs it, so a typo fails
 * at once with one line naming the setting.
 */
public final class SettingsLoader {
  private static final Pattern DC_RE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*$");
  private static final Pattern DOMAIN_RE = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$");
  private static final Pattern IPV4_RE =
      Pattern.compile("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
  private static final Pattern DURATION_RE = Pattern.compile("^(\\d{1,9})(ms|s|m|h|d)$");
  private static final Pattern ADMIN_TAG_RE =
      Pattern.compile("^admin(_rack_[A-Z0-9_-]+)?$", Pattern.CASE_INSENSITIVE);

  private final Map<Setting, String> flags;
  private final Map<String, String> env;
  private final Path configFile;
  private final ZoneMetadata zone;

  /**
   * @param flags values given on the command line (absent keys = not given)
   * @param env the process environment (or a test's map)
   * @param configFile the {@code --config} file, or null
   * @param zone zone metadata, {@link ZoneMetadata#NONE} outside a zone
   */
  public SettingsLoader(Map<Setting, String> flags, Map<String, String> env, Path configFile, ZoneMetadata zone) {
    this.flags = flags;
    this.env = env;
    this.configFile = configFile;
    this.zone = zone;
  }

  /** Loads from this process's environment and PATH. */
  public static Settings load(Map<Setting, String> flags, Path configFile) {
    return new SettingsLoader(flags, System.getenv(), configFile, ZoneMetadata.fromPath(System.getenv("PATH"))).load();
  }

  public Settings load() {
    Map<Setting, String> fromFile = readConfigFile();
    EnumMap<Setting, String> raw = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      String v = flags.get(s);
      if (v == null) {
        v = env.get(s.envVar());
      }
      if (v == null) {
        v = fromFile.get(s);
      }
      if (v == null && s.mdataKey() != null) {
        v = zone.get(s.mdataKey()).map(value -> s == Setting.BIND_IP ? adminIpFromNics(value) : value).orElse(null);
      }
      if (v != null) {
        raw.put(s, v);
      }
    }
    return validate(raw);
  }

  private Map<Setting, String> readConfigFile() {
    EnumMap<Setting, String> out = new EnumMap<>(Setting.class);
    if (configFile == null) {
      return out;
    }
    Map<String, Object> obj;
    try {
      obj = Json.parseObject(Files.readAllBytes(configFile));
    } catch (IOException e) {
      throw new SettingsException("cannot read config file " + configFile + " (--config): " + e.getMessage());
    } catch (Json.JsonFormatException e) {
      throw new SettingsException("config file " + configFile + " is not a JSON object: " + firstLine(e.getMessage()));
    }
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      Setting s = Setting.byConfigKey(e.getKey());
      if (s == null) {
        throw new SettingsException("config file " + configFile + ": unknown key \"" + e.getKey() + "\"");
      }
      if (s == Setting.FLEET_TRAITS && e.getValue() instanceof Map<?, ?> traits) {
        out.put(s, com.joyent.mockcloud.json.Json.compact(traits)); // an object there, JSON text elsewhere
        continue;
      }
      if (!(e.getValue() instanceof String str)) {
        throw new SettingsException("config file " + configFile + ": \"" + e.getKey() + "\" must be a string");
      }
      out.put(s, str);
    }
    return out;
  }

  /** The zone admin IP: {@code ip} of the first {@code sdc:nics} entry tagged admin (or admin_rack_*). */
  static String adminIpFromNics(String nicsJson) {
    Object parsed;
    try {
      parsed = Json.parse(nicsJson.getBytes(StandardCharsets.UTF_8));
    } catch (Json.JsonFormatException e) {
      throw new SettingsException("zone metadata sdc:nics is not valid JSON");
    }
    if (parsed instanceof List<?> nics) {
      for (Object n : nics) {
        if (n instanceof Map<?, ?> nic && nic.get("nic_tag") instanceof String tag
            && ADMIN_TAG_RE.matcher(tag).matches() && nic.get("ip") instanceof String ip) {
          return ip;
        }
      }
    }
    throw new SettingsException("zone metadata sdc:nics has no admin NIC with an ip (set --bind-ip)");
  }

  private static Settings validate(Map<Setting, String> raw) {
    Path root = Optional.ofNullable(raw.get(Setting.ROOT)).map(v -> {
      if (v.isBlank()) {
        throw invalid(Setting.ROOT, v, "must not be empty");
      }
      return Path.of(v).toAbsolutePath().normalize();
    }).orElse(Settings.DEFAULT_ROOT);
    String dc = check(raw, Setting.DATACENTER, DC_RE, "must be letters, digits, '-' or '_'");
    String dns = check(raw, Setting.DNS_DOMAIN, DOMAIN_RE, "must be a DNS domain name");
    String admin = raw.get(Setting.ADMIN_UUID);
    if (admin != null && !Uuids.isUuid(admin.toLowerCase(Locale.ROOT))) {
      throw invalid(Setting.ADMIN_UUID, admin, "must be a UUID");
    }
    String bindIp = Optional.ofNullable(raw.get(Setting.BIND_IP)).orElse(Settings.DEFAULT_BIND_IP);
    if (!isIpLiteral(bindIp)) {
      throw invalid(Setting.BIND_IP, bindIp, "must be an IPv4 or IPv6 address");
    }
    return new Settings(root, dc, dns,
        admin == null ? null : UUID.fromString(admin.toLowerCase(Locale.ROOT)),
        bindIp,
        url(raw, Setting.CNAPI_URL, "cnapi", dc, dns),
        url(raw, Setting.VMAPI_URL, "vmapi", dc, dns),
        url(raw, Setting.NAPI_URL, "napi", dc, dns),
        url(raw, Setting.SAPI_URL, "sapi", dc, dns),
        url(raw, Setting.IMGAPI_URL, "imgapi", dc, dns),
        Optional.ofNullable(raw.get(Setting.TASK_LOG_MAX_AGE)).map(v -> positiveDuration(Setting.TASK_LOG_MAX_AGE, v))
            .orElse(Settings.DEFAULT_TASK_LOG_MAX_AGE),
        Optional.ofNullable(raw.get(Setting.TASK_LOG_MAX_FILES)).map(v -> positiveInt(Setting.TASK_LOG_MAX_FILES, v))
            .orElse(Settings.DEFAULT_TASK_LOG_MAX_FILES),
        Optional.ofNullable(raw.get(Setting.FLEET_TRAITS)).map(SettingsLoader::fleetTraits).orElse(null),
        url(raw, Setting.FWAPI_URL, "fwapi", dc, dns),
        Optional.ofNullable(raw.get(Setting.FWAPI_FAST_PORT)).map(v -> positiveInt(Setting.FWAPI_FAST_PORT, v))
            .orElse(Settings.DEFAULT_FWAPI_FAST_PORT),
        dhcp(raw));
  }

  /** {@code adminIpSource} napi (default) or dhcp, and the DHCP addresses and rate (IP literals, no lookups). */
  private static DhcpSettings dhcp(Map<Setting, String> raw) {
    String source = raw.getOrDefault(Setting.ADMIN_IP_SOURCE, "napi");
    if (!source.equals("napi") && !source.equals("dhcp")) {
      throw invalid(Setting.ADMIN_IP_SOURCE, source, "must be napi or dhcp");
    }
    DhcpSettings d = DhcpSettings.OFF;
    InetSocketAddress server = raw.containsKey(Setting.DHCP_SERVER)
        ? ipPort(Setting.DHCP_SERVER, raw.get(Setting.DHCP_SERVER), DhcpSettings.SERVER_PORT) : d.server();
    InetSocketAddress bind = raw.containsKey(Setting.DHCP_BIND)
        ? ipPort(Setting.DHCP_BIND, raw.get(Setting.DHCP_BIND), DhcpSettings.CLIENT_PORT) : d.bind();
    double rate = d.rate();
    if (raw.containsKey(Setting.DHCP_RATE)) {
      try {
        rate = Double.parseDouble(raw.get(Setting.DHCP_RATE));
      } catch (NumberFormatException e) {
        rate = -1;
      }
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw invalid(Setting.DHCP_RATE, raw.get(Setting.DHCP_RATE), "must be a positive number of messages a second");
      }
    }
    return new DhcpSettings(source.equals("dhcp"), server, bind, rate);
  }

  /** {@code a.b.c.d} or {@code a.b.c.d:port}; port 0 lets the OS choose (tests). */
  private static InetSocketAddress ipPort(Setting s, String v, int defaultPort) {
    String host = v;
    int port = defaultPort;
    int colon = v.lastIndexOf(':');
    if (colon >= 0) {
      host = v.substring(0, colon);
      try {
        port = Integer.parseInt(v.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (com.joyent.mockcloud.util.Ipv4.parse(host) == null || port < 0 || port > 65535) {
      throw invalid(s, v, "must be an IPv4 address with an optional :port");
    }
    return new InetSocketAddress(host, port);
  }

  private static Map<String, Object> fleetTraits(String v) {
    try {
      return com.joyent.mockcloud.server.Traits.parse("traits", v);
    } catch (IllegalArgumentException e) {
      throw invalid(Setting.FLEET_TRAITS, v, e.getMessage().replaceFirst("^traits:? ?", ""));
    }
  }

  /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s} or {@code 500ms}; more than zero. */
  static Duration positiveDuration(Setting s, String v) {
    Matcher m = DURATION_RE.matcher(v);
    String rule = "must be a duration above zero: a whole number and a unit (ms, s, m, h or d), e.g. 7d or 90s";
    if (!m.matches()) {
      throw invalid(s, v, rule);
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.isZero()) {
      throw invalid(s, v, rule);
    }
    return d;
  }

  private static int positiveInt(Setting s, String v) {
    String rule = "must be a whole number from 1 to " + Integer.MAX_VALUE;
    if (!v.matches("^\\d{1,10}$")) {
      throw invalid(s, v, rule);
    }
    long n = Long.parseLong(v);
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw invalid(s, v, rule);
    }
    return (int) n;
  }

  private static String check(Map<Setting, String> raw, Setting s, Pattern p, String rule) {
    String v = raw.get(s);
    if (v != null && !p.matcher(v).matches()) {
      throw invalid(s, v, rule);
    }
    return v;
  }

  private static URI url(Map<Setting, String> raw, Setting s, String api, String dc, String dns) {
    String v = raw.get(s);
    if (v == null) {
      return dc != null && dns != null ? URI.create("http://" + api + "." + dc + "." + dns) : null;
    }
    try {
      URI u = new URI(v);
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null) {
        throw invalid(s, v, "must be an http:// or https:// URL with a host");
      }
      // Stored without a trailing slash so clients can append "/path".
      String text = u.toString();
      return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw invalid(s, v, "must be an http:// or https:// URL with a host");
    }
  }

  static boolean isIpLiteral(String v) {
    if (IPV4_RE.matcher(v).matches()) {
      return true;
    }
    if (v.contains(":") && v.matches("^[0-9A-Fa-f:.]+$")) {
      try {
        // A literal with ':' is never resolved through DNS.
        return InetAddress.getByName(v) instanceof Inet6Address;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  private static SettingsException invalid(Setting s, String value, String rule) {
    return new SettingsException("invalid setting " + s.configKey() + " (" + s.flag() + "): \"" + value + "\" " + rule);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
