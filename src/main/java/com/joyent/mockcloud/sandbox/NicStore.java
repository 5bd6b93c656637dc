package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.JsValues;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * NAPI's NICs by MAC, and the networks whose IPs they hold (net-agent-cmon-mockcloud.md §3,
 * triton-apis.md §4). Create, update and delete apply the validation and the IP rules of
 * §4.3–4.4 and bump the NIC's ETag; a later changefeed publisher can hook the same three
 * places.
 *
 * <p>Thread contract: one lock (this object) guards the NICs and every network's allocator.
 * Methods do map work only, so they are safe to call from I/O threads. Returned maps are
 * fresh copies.
 */
public final class NicStore {
  static final Set<String> BELONGS_TO_TYPES = Set.of("other", "server", "zone");
  static final Set<String> STATES = Set.of("provisioning", "stopped", "running");
  static final List<String> ALLOW_FLAGS = List.of("allow_dhcp_spoofing", "allow_ip_spoofing",
      "allow_mac_spoofing", "allow_restricted_traffic", "allow_unfiltered_promisc", "underlay");
  private static final Pattern MAC_HEX = Pattern.compile("^[0-9a-f]{12}$");

  private final Clock clock;
  private final NicTagStore nicTags;
  private final String adminUuid;
  private final Map<String, NapiNetwork> networks = new LinkedHashMap<>();
  private final Map<String, Nic> nics = new LinkedHashMap<>();
  /** belongs_to_uuid → its NICs: per-owner work (primary re-election, listing) must not scan the fleet. */
  private final Map<String, Set<Nic>> byBelongsTo = new HashMap<>();
  private long nextSeq;
  private long etagSeq = 0x1000;

  /** One stored NIC; fields are guarded by the store's lock. */
  private static final class Nic {
    String mac;
    String belongsToType;
    String belongsToUuid;
    String ownerUuid;
    boolean primary;
    String state;
    long created;
    long modified;
    Long ip;
    NapiNetwork network;
    String nicTag;
    String cnUuid;
    String model;
    List<String> nicTagsProvided;
    final Set<String> flags = new TreeSet<>();
    boolean reserved;
    String etag;
    long seq; // creation order
  }

  NicStore(Clock clock, NicTagStore nicTags, List<NapiNetwork> initialNetworks) {
    this(clock, nicTags, initialNetworks, SandboxOptions.DEFAULT_ADMIN_UUID);
  }

  /** {@code adminUuid} owns the addresses each network reserves (gateway, resolvers, broadcast). */
  NicStore(Clock clock, NicTagStore nicTags, List<NapiNetwork> initialNetworks, String adminUuid) {
    this.clock = clock;
    this.nicTags = nicTags;
    this.adminUuid = adminUuid;
    initialNetworks.forEach(n -> {
      n.adminIs(adminUuid);
      networks.put(n.uuid, n);
    });
  }

  /** Normalises a MAC from a path or body ({@code 0010fe000037}, dashes or colons); null if invalid. */
  public static String normalizeMac(Object raw) {
    if (!(raw instanceof String s)) {
      return null;
    }
    String hex = s.toLowerCase(Locale.ROOT).replace(":", "").replace("-", "");
    if (!MAC_HEX.matcher(hex).matches()) {
      if (s.contains(":") || s.contains("-")) {
        // "0:10:fe:0:0:37" style: pad each octet.
        String[] parts = s.toLowerCase(Locale.ROOT).split("[:-]");
        if (parts.length == 6) {
          StringBuilder b = new StringBuilder();
          for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
              return null;
            }
            b.append(p.length() == 1 ? "0" + p : p);
          }
          hex = b.toString();
          if (!MAC_HEX.matcher(hex).matches()) {
            return null;
          }
        } else {
          return null;
        }
      } else {
        return null;
      }
    }
    StringBuilder out = new StringBuilder(17);
    for (int i = 0; i < 12; i += 2) {
      if (i > 0) {
        out.append(':');
      }
      out.append(hex, i, i + 2);
    }
    return out.toString();
  }

  // ---- networks ----

  /** The network by uuid, or by name ({@code admin} is accepted in place of its uuid). */
  public synchronized Map<String, Object> network(String uuidOrName) {
    return findNetwork(uuidOrName).render();
  }

  synchronized NapiNetwork findNetwork(String uuidOrName) {
    NapiNetwork n = networks.get(uuidOrName);
    if (n == null) {
      n = networks.values().stream().filter(x -> x.name.equals(uuidOrName)).findFirst().orElse(null);
    }
    if (n == null) {
      throw RestError.resourceNotFound("network not found");
    }
    return n;
  }

  private Integer tagMtu(String tag) {
    return nicTags.exists(tag) ? ((Number) nicTags.get(tag).get("mtu")).intValue() : null;
  }

  /** CreateNetwork: NAPI's checks, the admin user's reserved records, then the network. */
  public synchronized Map<String, Object> createNetwork(Map<String, Object> params) {
    NapiNetworkParams.Checked c = NapiNetworkParams.create(params, this::tagMtu, List.copyOf(networks.values()));
    String name = (String) c.get("name");
    if (networks.values().stream().anyMatch(x -> x.name.equals(name))) {
      throw new RestError(422, "InvalidParameters", "name is in use by another network",
          Map.of("errors", List.of(RestError.fieldError("name", "Duplicate", "Already exists"))));
    }
    String uuid = c.has("uuid") ? (String) c.get("uuid") : java.util.UUID.randomUUID().toString();
    if (networks.containsKey(uuid)) {
      throw new RestError(422, "InvalidParameters", "uuid is in use by another network",
          Map.of("errors", List.of(RestError.fieldError("uuid", "Duplicate", "Already exists"))));
    }
    @SuppressWarnings("unchecked")
    List<String> resolvers = c.has("resolvers") ? (List<String>) c.get("resolvers") : List.of();
    Long gw = (Long) c.get("gateway");
    NapiNetwork net = new NapiNetwork(uuid, name, (Ipv4.Cidr) c.get("subnet"), (Long) c.get("provision_start_ip"),
        (Long) c.get("provision_end_ip"), gw == null ? null : Ipv4.format(gw), resolvers, (String) c.get("nic_tag"),
        (Integer) c.get("vlan_id"), c.has("mtu") ? (Integer) c.get("mtu") : 1500, adminUuid);
    applyOptional(net, c);
    networks.put(uuid, net);
    return net.render();
  }

  @SuppressWarnings("unchecked")
  private static void applyOptional(NapiNetwork net, NapiNetworkParams.Checked c) {
    if (c.has("routes")) {
      net.routes = (Map<String, Object>) c.get("routes");
    }
    if (c.has("owner_uuids")) {
      List<String> owners = (List<String>) c.get("owner_uuids");
      net.ownerUuids = owners.isEmpty() ? null : owners; // an empty list removes them
    }
    if (c.has("description")) {
      net.description = (String) c.get("description");
    }
  }

  /** The changes UpdateNetwork made that the changefeed names (gateway, resolvers, routes). */
  public record NetworkUpdate(Map<String, Object> network, Set<String> changed) {}

  /** UpdateNetwork: NAPI's checks against the network as it is, then the changes. */
  @SuppressWarnings("unchecked")
  public synchronized NetworkUpdate updateNetwork(String uuidOrName, Map<String, Object> params) {
    NapiNetwork net = findNetwork(uuidOrName);
    NapiNetworkParams.Checked c = NapiNetworkParams.update(params, net, tagMtu(net.nicTag),
        List.copyOf(networks.values()));
    if (c.has("name") && networks.values().stream().anyMatch(x -> x != net && x.name.equals(c.get("name")))) {
      // Real NAPI answers a raw moray error here; the sandbox answers what CreateNetwork would.
      throw new RestError(422, "InvalidParameters", "name is in use by another network",
          Map.of("errors", List.of(RestError.fieldError("name", "Duplicate", "Already exists"))));
    }
    Set<String> changed = new java.util.TreeSet<>();
    if (c.has("name")) {
      net.name = (String) c.get("name");
    }
    if (c.has("mtu")) {
      net.mtu = (Integer) c.get("mtu");
    }
    if (c.has("provision_start_ip") || c.has("provision_end_ip")) {
      net.provisionRange(c.has("provision_start_ip") ? (Long) c.get("provision_start_ip") : net.provisionStart,
          c.has("provision_end_ip") ? (Long) c.get("provision_end_ip") : net.provisionEnd);
    }
    if (c.has("gateway")) {
      long gw = (Long) c.get("gateway");
      NapiNetwork.IpRecord old = net.record(gw);
      net.putRecord(gw, old == null ? new NapiNetwork.IpRecord(true, null, null, null)
          : new NapiNetwork.IpRecord(true, old.ownerUuid(), old.belongsToUuid(), old.belongsToType()));
      net.gateway = Ipv4.format(gw);
      changed.add("gateway");
    }
    if (c.has("resolvers")) {
      net.resolvers = List.copyOf((List<String>) c.get("resolvers"));
      changed.add("resolvers");
    }
    if (c.has("routes")) {
      changed.add("routes");
    }
    applyOptional(net, c);
    net.etag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL).toUpperCase();
    return new NetworkUpdate(net.render(), changed);
  }

  /**
   * DeleteNetwork: 422 InUse while a pool holds it ({@code pools}: the uuids of those that do)
   * or a NIC is on it; IP records alone do not keep it.
   */
  public synchronized Map<String, Object> deleteNetwork(String uuidOrName, List<String> pools) {
    NapiNetwork net = findNetwork(uuidOrName);
    if (!pools.isEmpty()) {
      throw inUse("Network is in use", "network pool", pools);
    }
    List<String> macs = new ArrayList<>(new java.util.TreeSet<>(net.holders().values()));
    if (!macs.isEmpty()) {
      throw inUse("network must have no NICs provisioned", "nic", macs);
    }
    networks.remove(net.uuid);
    return net.render();
  }

  private static RestError inUse(String message, String type, List<String> ids) {
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String id : ids.stream().sorted().toList()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("type", type);
      e.put("id", id);
      e.put("code", "UsedBy");
      e.put("message", "In use by " + type + " \"" + id + "\"");
      errors.add(e);
    }
    return new RestError(422, "InUse", message, Map.of("errors", errors));
  }

  /**
   * UpdateIP: frees, creates or changes the record of an address of the network, with NAPI's
   * checks. An address a NIC holds takes only {@code reserved} here (the sandbox keeps such an
   * address's owner on the NIC); changing who it belongs to is a clear 501.
   */
  public synchronized Map<String, Object> updateIp(String uuidOrName, String address, Map<String, Object> p) {
    NapiNetwork net = findNetwork(uuidOrName);
    Long ip = Ipv4.parse(address);
    if (ip == null) {
      throw RestError.resourceNotFound("Invalid IP address");
    }
    if (!net.subnet.contains(ip)) {
      throw RestError.resourceNotFound("IP is not in subnet");
    }
    String mac = net.holders().get(ip);
    if (mac != null) {
      for (String k : List.of("belongs_to_uuid", "belongs_to_type", "owner_uuid", "unassign", "free")) {
        if (p.containsKey(k)) {
          throw SandboxCnapi.notImplementedError("changing " + k + " of an IP a NIC holds (UpdateIP)");
        }
      }
      if (p.containsKey("reserved")) {
        Boolean r = bool(p.get("reserved"));
        if (r == null) {
          NapiNetworkParams.fail(List.of(NapiNetworkParams.invalid("reserved", "must be a boolean value")));
        }
        nics.get(mac).reserved = r;
      }
      return ipRecord(net, ip);
    }
    NapiNetwork.IpRecord old = net.record(ip);
    if (p.containsKey("free") && JsValues.truthy(p.get("free")) && !p.containsKey("unassign")) {
      net.putRecord(ip, new NapiNetwork.IpRecord(false, null, null, null));
      return ipRecord(net, ip);
    }
    List<Map<String, Object>> errors = new ArrayList<>();
    Boolean reserved = null;
    if (p.containsKey("reserved")) {
      reserved = bool(p.get("reserved"));
      if (reserved == null) {
        errors.add(NapiNetworkParams.invalid("reserved", "must be a boolean value"));
      }
    }
    Boolean checkOwner = p.containsKey("check_owner") ? bool(p.get("check_owner")) : Boolean.TRUE;
    if (checkOwner == null) {
      errors.add(NapiNetworkParams.invalid("check_owner", "must be a boolean value"));
    }
    String belongsUuid = uuidParam(p, "belongs_to_uuid", errors);
    String owner = uuidParam(p, "owner_uuid", errors);
    String belongsType = null;
    if (p.get("belongs_to_type") != null) {
      Object t = p.get("belongs_to_type");
      if (t instanceof String s && !s.isBlank() && s.length() <= 64) {
        belongsType = s;
      } else {
        errors.add(NapiNetworkParams.invalid("belongs_to_type", !(t instanceof String s) ? "must be a string"
            : s.length() > 64 ? "must not be longer than 64 characters" : "must not be empty"));
      }
    }
    boolean unassign = false;
    if (old != null && p.containsKey("unassign")) {
      Boolean u = bool(p.get("unassign"));
      if (u == null) {
        errors.add(NapiNetworkParams.invalid("unassign", "must be a boolean value"));
      } else {
        unassign = u;
      }
    }
    if (old == null) {
      NapiNetworkParams.fail(errors); // a new record's required set is checked only once its fields pass
    }
    boolean assigning = p.get("belongs_to_uuid") != null || p.get("belongs_to_type") != null;
    if (assigning) { // the three go together, unless the record already has them
      if (p.get("belongs_to_type") == null && (old == null || old.belongsToType() == null)) {
        errors.add(NapiNetworkParams.missing("belongs_to_type"));
      }
      if (p.get("belongs_to_uuid") == null && (old == null || old.belongsToUuid() == null)) {
        errors.add(NapiNetworkParams.missing("belongs_to_uuid"));
      }
      if (p.get("owner_uuid") == null && (old == null || old.ownerUuid() == null)) {
        errors.add(NapiNetworkParams.missing("owner_uuid"));
      }
    }
    NapiNetworkParams.fail(errors);
    if (owner != null && !Boolean.FALSE.equals(checkOwner) && net.ownerUuids != null && !net.ownerUuids.isEmpty()
        && !net.ownerUuids.contains(owner) && !owner.equals(adminUuid)) {
      NapiNetworkParams.fail(List.of(NapiNetworkParams.invalid("owner_uuid", "network owner_uuids do not match")));
    }
    if (unassign && p.containsKey("free") && Boolean.TRUE.equals(bool(p.get("free")))) {
      NapiNetworkParams.fail(List.of(NapiNetworkParams.invalid("unassign",
          "free and unassign cannot both be set to \"true\"")));
    }
    NapiNetwork.IpRecord base = old != null ? old : new NapiNetwork.IpRecord(false, null, null, null);
    NapiNetwork.IpRecord next = unassign
        ? new NapiNetwork.IpRecord(base.reserved(), base.ownerUuid(), null, null)
        : new NapiNetwork.IpRecord(reserved != null ? reserved : base.reserved(),
            owner != null ? owner : base.ownerUuid(), belongsUuid != null ? belongsUuid : base.belongsToUuid(),
            belongsType != null ? belongsType : base.belongsToType());
    net.putRecord(ip, next);
    return ipRecord(net, ip);
  }

  private static String uuidParam(Map<String, Object> p, String key, List<Map<String, Object>> errors) {
    Object v = p.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof String s && NapiNetworkParams.isUuid(s)) {
      return s.toLowerCase();
    }
    errors.add(NapiNetworkParams.invalid(key, "invalid UUID"));
    return null;
  }

  /** NAPI's boolean: true, false, "true", "false"; null for anything else. */
  private static Boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if ("true".equals(v) || "false".equals(v)) {
      return "true".equals(v);
    }
    return null;
  }

  // ---- IPs ----

  /**
   * ListIPs: the network's IP records in address order, as NAPI keeps them: each address a NIC
   * holds, each reserved one (gateway, resolvers in the subnet, broadcast: the admin user's,
   * {@code belongs_to_type} other), and the marker NAPI stores just below the provision range
   * (free). {@code filter} sees the serialised record.
   */
  public synchronized List<Map<String, Object>> ips(String uuidOrName, Predicate<Map<String, Object>> filter) {
    NapiNetwork n = findNetwork(uuidOrName);
    java.util.TreeSet<Long> addresses = new java.util.TreeSet<>(n.recordAddresses());
    addresses.addAll(n.holders().keySet());
    if (n.subnet.contains(n.provisionStart - 1)) {
      addresses.add(n.provisionStart - 1);
    }
    if (n.subnet.contains(n.provisionEnd + 1)) {
      addresses.add(n.provisionEnd + 1);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (long ip : addresses) {
      Map<String, Object> r = ipRecord(n, ip);
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * GetIP: the record of one address of the subnet, free when nothing holds it. NAPI answers
   * 404 for an address that is not one or not in the subnet.
   */
  public synchronized Map<String, Object> ip(String uuidOrName, String address) {
    NapiNetwork n = findNetwork(uuidOrName);
    Long ip = Ipv4.parse(address);
    if (ip == null) {
      throw RestError.resourceNotFound("Invalid IP address");
    }
    if (!n.subnet.contains(ip)) {
      throw RestError.resourceNotFound("IP is not in subnet");
    }
    return ipRecord(n, ip);
  }

  private Map<String, Object> ipRecord(NapiNetwork n, long ip) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("ip", Ipv4.format(ip));
    r.put("network_uuid", n.uuid);
    String mac = n.holders().get(ip);
    Nic nic = mac == null ? null : nics.get(mac);
    if (nic != null) {
      r.put("reserved", nic.reserved);
      r.put("free", false);
      r.put("belongs_to_type", nic.belongsToType);
      r.put("belongs_to_uuid", nic.belongsToUuid);
      r.put("owner_uuid", nic.ownerUuid);
    } else if (n.record(ip) != null) {
      NapiNetwork.IpRecord rec = n.record(ip);
      r.put("reserved", rec.reserved());
      r.put("free", rec.free());
      putIfSet(r, "belongs_to_type", rec.belongsToType());
      putIfSet(r, "belongs_to_uuid", rec.belongsToUuid());
      putIfSet(r, "owner_uuid", rec.ownerUuid());
    } else {
      r.put("reserved", false);
      r.put("free", true);
    }
    return r;
  }

  private static void putIfSet(Map<String, Object> r, String key, String value) {
    if (value != null) {
      r.put(key, value);
    }
  }

  public synchronized String networkEtag(String uuidOrName) {
    return findNetwork(uuidOrName).etag;
  }

  public synchronized List<Map<String, Object>> networks(Predicate<Map<String, Object>> filter) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (NapiNetwork n : networks.values()) {
      Map<String, Object> r = n.render();
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** How many addresses of a network are held (for tests of the allocator). */
  public synchronized int usedIps(String uuidOrName) {
    return findNetwork(uuidOrName).usedCount();
  }

  // ---- NICs ----

  public synchronized int size() {
    return nics.size();
  }

  /** The NIC as NAPI renders it, or null when there is none with that MAC. */
  public synchronized Map<String, Object> find(String mac) {
    String m = normalizeMac(mac);
    Nic n = m == null ? null : nics.get(m);
    return n == null ? null : render(n);
  }

  /** The rendered NIC; 404 "nic not found". */
  public synchronized Map<String, Object> get(String mac) {
    return render(require(mac));
  }

  public synchronized String etag(String mac) {
    return require(mac).etag;
  }

  /** NICs whose rendered fields pass {@code filter}, in creation order. */
  public synchronized List<Map<String, Object>> list(Predicate<Map<String, Object>> filter) {
    return list(null, filter);
  }

  /**
   * As {@link #list(Predicate)}, but only NICs whose {@code belongs_to_uuid} is one of
   * {@code belongsTo} (null = any) are rendered at all: 10,000 net-agents each listing their
   * CN's NICs must not render every NIC of the fleet each time.
   */
  public synchronized List<Map<String, Object>> list(Set<String> belongsTo, Predicate<Map<String, Object>> filter) {
    List<Map<String, Object>> out = new ArrayList<>();
    Iterable<Nic> candidates = nics.values();
    if (belongsTo != null) {
      List<Nic> owned = new ArrayList<>();
      for (String b : belongsTo) {
        owned.addAll(byBelongsTo.getOrDefault(b, Set.of()));
      }
      owned.sort(Comparator.comparingLong(n -> n.seq));
      candidates = owned;
    }
    for (Nic n : candidates) {
      Map<String, Object> r = render(n);
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * CreateNic ({@code POST /nics}) and ProvisionNic ({@code POST /networks/:uuid/nics}, with
   * {@code network} set): validates, assigns the MAC and IP, stores. Throws 422/404/507.
   */
  public synchronized Map<String, Object> create(Map<String, Object> params, String networkFromPath) {
    List<Map<String, Object>> errors = new ArrayList<>();
    Nic nic = new Nic();
    nic.belongsToType = NapiParams.requiredEnum(params, "belongs_to_type", BELONGS_TO_TYPES, errors);
    nic.belongsToUuid = NapiParams.requiredUuid(params, "belongs_to_uuid", errors);
    nic.ownerUuid = NapiParams.requiredUuid(params, "owner_uuid", errors);
    nic.cnUuid = NapiParams.optionalUuid(params, "cn_uuid", errors);
    nic.state = params.containsKey("state") ? NapiParams.optionalEnum(params, "state", STATES, errors) : "provisioning";
    nic.primary = Values.isTrueParam(params.get("primary"));
    nic.reserved = Values.isTrueParam(params.get("reserved"));
    nic.model = params.get("model") instanceof String s ? s : null;
    nic.nicTag = params.get("nic_tag") instanceof String s ? s : null;
    nic.nicTagsProvided = nicTagsProvided(params, errors);
    for (String f : ALLOW_FLAGS) {
      if (Values.isTrueParam(params.get(f))) {
        nic.flags.add(f);
      }
    }
    if (params.get("mac") != null) {
      nic.mac = normalizeMac(params.get("mac"));
      if (nic.mac == null) {
        errors.add(RestError.fieldError("mac", "InvalidParameter", "invalid MAC address"));
      } else if (nics.containsKey(nic.mac)) {
        errors.add(RestError.fieldError("mac", "Duplicate", "Already exists"));
      }
    } else {
      nic.mac = randomMac();
    }
    NapiNetwork network = null;
    Long explicitIp = null;
    if (networkFromPath != null) {
      network = findNetwork(networkFromPath); // 404 "network not found"
    } else if (params.get("network_uuid") != null) {
      Object nu = params.get("network_uuid");
      network = nu instanceof String s ? networkOrNull(s) : null;
      if (network == null) {
        errors.add(RestError.fieldError("network_uuid", "InvalidParameter", "network does not exist"));
      }
    }
    if (params.get("ip") != null) {
      explicitIp = Ipv4.parse(String.valueOf(params.get("ip")));
      if (explicitIp == null) {
        errors.add(RestError.fieldError("ip", "InvalidParameter", "invalid IP address"));
      } else if (network == null && networkFromPath == null && params.get("network_uuid") == null) {
        network = networkFor(explicitIp, params, errors);
      }
      if (explicitIp != null && network != null) {
        checkIpFree(network, explicitIp, nic.mac, errors);
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    if (network != null) {
      if (explicitIp != null) {
        network.claim(explicitIp, nic.mac);
        nic.ip = explicitIp;
      } else {
        Long ip = network.allocate(nic.mac);
        if (ip == null) {
          throw new RestError(507, "SubnetFull", "no more free IPs", Map.of("network_uuid", network.uuid));
        }
        nic.ip = ip;
      }
      nic.network = network;
    }
    nic.created = clock.millis();
    nic.modified = nic.created;
    nic.etag = nextEtag();
    nic.seq = nextSeq++;
    if (nic.primary) {
      clearOtherPrimaries(nic);
    }
    nics.put(nic.mac, nic);
    index(nic);
    return render(nic);
  }

  /** UpdateNic ({@code PUT /nics/:mac}): changes the given fields, returns the whole NIC. */
  public synchronized Map<String, Object> update(String mac, Map<String, Object> params, String ifMatch) {
    Nic nic = require(mac);
    checkIfMatch(nic, ifMatch);
    List<Map<String, Object>> errors = new ArrayList<>();
    String type = params.containsKey("belongs_to_type")
        ? NapiParams.optionalEnum(params, "belongs_to_type", BELONGS_TO_TYPES, errors) : nic.belongsToType;
    String belongs = params.containsKey("belongs_to_uuid") ? NapiParams.optionalUuid(params, "belongs_to_uuid", errors)
        : nic.belongsToUuid;
    String owner = params.containsKey("owner_uuid") ? NapiParams.optionalUuid(params, "owner_uuid", errors)
        : nic.ownerUuid;
    String cn = params.containsKey("cn_uuid") ? NapiParams.optionalUuid(params, "cn_uuid", errors) : nic.cnUuid;
    String state = params.containsKey("state") ? NapiParams.optionalEnum(params, "state", STATES, errors) : nic.state;
    List<String> provided = params.containsKey("nic_tags_provided") ? nicTagsProvided(params, errors)
        : nic.nicTagsProvided;
    NapiNetwork newNetwork = null;
    Long newIp = null;
    if (params.get("network_uuid") instanceof String nu && (nic.network == null || !nic.network.uuid.equals(nu))) {
      newNetwork = networkOrNull(nu);
      if (newNetwork == null) {
        errors.add(RestError.fieldError("network_uuid", "InvalidParameter", "network does not exist"));
      }
    }
    if (params.get("ip") != null) {
      newIp = Ipv4.parse(String.valueOf(params.get("ip")));
      NapiNetwork target = newNetwork != null ? newNetwork : nic.network;
      if (newIp == null) {
        errors.add(RestError.fieldError("ip", "InvalidParameter", "invalid IP address"));
      } else if (target == null) {
        target = networkFor(newIp, params, errors);
        newNetwork = target;
      }
      if (newIp != null && target != null && !newIp.equals(nic.ip)) {
        checkIpFree(target, newIp, nic.mac, errors);
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    if (newNetwork != null || (newIp != null && !newIp.equals(nic.ip))) {
      NapiNetwork target = newNetwork != null ? newNetwork : nic.network;
      Long ip = newIp;
      if (ip == null) {
        ip = target.allocate(nic.mac);
        if (ip == null) {
          throw new RestError(507, "SubnetFull", "no more free IPs", Map.of("network_uuid", target.uuid));
        }
      } else {
        target.claim(ip, nic.mac);
      }
      releaseIp(nic);
      nic.network = target;
      nic.ip = ip;
    }
    nic.belongsToType = type;
    unindex(nic);
    nic.belongsToUuid = belongs;
    index(nic);
    nic.ownerUuid = owner;
    nic.cnUuid = cn;
    nic.state = state;
    nic.nicTagsProvided = provided;
    if (params.containsKey("primary")) {
      nic.primary = Values.isTrueParam(params.get("primary"));
    }
    if (params.get("model") instanceof String s) {
      nic.model = s;
    }
    if (params.get("nic_tag") instanceof String s) {
      nic.nicTag = s;
    }
    for (String f : ALLOW_FLAGS) {
      if (params.containsKey(f)) {
        if (Values.isTrueParam(params.get(f))) {
          nic.flags.add(f);
        } else {
          nic.flags.remove(f);
        }
      }
    }
    if (nic.primary) {
      clearOtherPrimaries(nic);
    }
    nic.modified = clock.millis();
    nic.etag = nextEtag();
    return render(nic);
  }

  /** DeleteNic: frees its IP, returns the NIC as it was. 404 when absent, 412 when {@code ifMatch} is stale. */
  public synchronized Map<String, Object> delete(String mac, String ifMatch) {
    Nic nic = require(mac);
    checkIfMatch(nic, ifMatch);
    Map<String, Object> last = render(nic);
    releaseIp(nic);
    nics.remove(nic.mac);
    unindex(nic);
    return last;
  }

  // ---- internals (lock held) ----

  private Nic require(String mac) {
    String m = normalizeMac(mac);
    if (m == null) {
      throw RestError.invalidParameters(List.of(RestError.fieldError("mac", "InvalidParameter",
          "invalid MAC address")));
    }
    Nic n = nics.get(m);
    if (n == null) {
      throw RestError.resourceNotFound("nic not found");
    }
    return n;
  }

  private void checkIfMatch(Nic nic, String ifMatch) {
    if (ifMatch == null || ifMatch.isEmpty()) {
      return;
    }
    for (String candidate : ifMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      c = c.replace("\"", "");
      if (c.equals("*") || c.equals(nic.etag)) {
        return;
      }
    }
    throw RestError.preconditionFailed("if-match '" + ifMatch + "' didn't match etag '" + nic.etag + "'");
  }

  private void releaseIp(Nic nic) {
    if (nic.network != null && nic.ip != null && nic.mac.equals(nic.network.holder(nic.ip))) {
      nic.network.release(nic.ip);
    }
  }

  private NapiNetwork networkOrNull(String uuidOrName) {
    NapiNetwork n = networks.get(uuidOrName);
    if (n == null) {
      n = networks.values().stream().filter(x -> x.name.equals(uuidOrName)).findFirst().orElse(null);
    }
    return n;
  }

  /** An explicit IP without a network: NAPI needs nic_tag + vlan_id to find the network. */
  private NapiNetwork networkFor(long ip, Map<String, Object> params, List<Map<String, Object>> errors) {
    Object tag = params.get("nic_tag");
    Integer vlan = Values.parseInt(params.get("vlan_id"));
    if (tag == null || vlan == null) {
      if (tag == null) {
        errors.add(RestError.fieldError("nic_tag", "MissingParameter", "Missing parameter"));
      }
      if (vlan == null) {
        errors.add(RestError.fieldError("vlan_id", "MissingParameter", "Missing parameter"));
      }
      return null;
    }
    for (NapiNetwork n : networks.values()) {
      if (n.nicTag.equals(tag) && n.vlanId == vlan && n.subnet.contains(ip)) {
        return n;
      }
    }
    errors.add(RestError.fieldError("ip", "InvalidParameter", "No networks found matching parameters"));
    return null;
  }

  private void checkIpFree(NapiNetwork network, long ip, String mac, List<Map<String, Object>> errors) {
    if (!network.subnet.contains(ip)) {
      errors.add(RestError.fieldError("ip", "InvalidParameter", "ip cannot be outside subnet"));
      return;
    }
    String holder = network.holder(ip);
    if (holder != null && !holder.equals(mac)) {
      errors.add(RestError.fieldError("ip", "Duplicate",
          "IP " + Ipv4.format(ip) + " exists on network " + network.uuid));
    }
  }

  private void index(Nic nic) {
    byBelongsTo.computeIfAbsent(nic.belongsToUuid, k -> new LinkedHashSet<>()).add(nic);
  }

  private void unindex(Nic nic) {
    Set<Nic> set = byBelongsTo.get(nic.belongsToUuid);
    if (set != null && set.remove(nic) && set.isEmpty()) {
      byBelongsTo.remove(nic.belongsToUuid);
    }
  }

  private void clearOtherPrimaries(Nic nic) {
    for (Nic other : byBelongsTo.getOrDefault(nic.belongsToUuid, Set.of())) {
      if (other != nic && other.primary) {
        other.primary = false;
        other.etag = nextEtag();
      }
    }
  }

  private List<String> nicTagsProvided(Map<String, Object> params, List<Map<String, Object>> errors) {
    Object v = params.get("nic_tags_provided");
    if (v == null) {
      return null;
    }
    List<String> tags = Values.list(v);
    List<String> missing = tags.stream().filter(t -> !nicTags.exists(t)).toList();
    if (!missing.isEmpty()) {
      errors.add(RestError.fieldError("nic_tags_provided", "InvalidParameter",
          "nic tags do not exist: " + String.join(", ", missing)));
    }
    return tags.isEmpty() ? null : tags;
  }

  private String nextEtag() {
    return Long.toHexString(++etagSeq).toUpperCase(Locale.ROOT);
  }

  /** NAPI's default OUI for NICs it generates: 90:b8:d0. */
  private String randomMac() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String mac;
    do {
      mac = String.format("90:b8:d0:%02x:%02x:%02x", r.nextInt(256), r.nextInt(256), r.nextInt(256));
    } while (nics.containsKey(mac));
    return mac;
  }

  private Map<String, Object> render(Nic n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("belongs_to_type", n.belongsToType);
    m.put("belongs_to_uuid", n.belongsToUuid);
    m.put("mac", n.mac);
    m.put("owner_uuid", n.ownerUuid);
    m.put("primary", n.primary);
    m.put("state", n.state);
    m.put("created_timestamp", JsValues.isoString(n.created));
    m.put("modified_timestamp", JsValues.isoString(n.modified));
    if (n.ip != null) {
      m.put("ip", Ipv4.format(n.ip));
    }
    if (n.network != null && n.ip != null) {
      NapiNetwork net = n.network;
      if (net.gateway != null) {
        m.put("gateway", net.gateway);
      }
      m.put("mtu", net.mtu);
      m.put("netmask", net.subnet.netmask());
      m.put("nic_tag", n.nicTag != null ? n.nicTag : net.nicTag);
      m.put("resolvers", net.resolvers);
      m.put("vlan_id", net.vlanId);
      m.put("network_uuid", net.uuid);
    } else if (n.nicTag != null) {
      m.put("nic_tag", n.nicTag);
    }
    if (n.cnUuid != null) {
      m.put("cn_uuid", n.cnUuid);
    }
    if (n.model != null) {
      m.put("model", n.model);
    }
    if (n.nicTagsProvided != null && !n.nicTagsProvided.isEmpty()) {
      m.put("nic_tags_provided", List.copyOf(n.nicTagsProvided));
    }
    for (String f : n.flags) {
      m.put(f, true);
    }
    return m;
  }

  /** Snapshot of MAC → ETag, for tests. */
  synchronized Map<String, String> etags() {
    Map<String, String> out = new HashMap<>();
    nics.forEach((k, v) -> out.put(k, v.etag));
    return out;
  }
}
