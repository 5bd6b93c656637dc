package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One NAPI IPv4 network and its IP allocator (triton-apis.md §4.4): the lowest never-used
 * address of the provision range first, then the least recently released one. Allocation is
 * O(1) amortised, so a /16 admin network for 10,000 CNs costs only the IPs in use.
 *
 * <p>Not thread-safe: the fixed fields are immutable, and the allocator is only touched by
 * {@link NicStore} while it holds its lock.
 */
final class NapiNetwork {
  final String uuid;
  final Ipv4.Cidr subnet;
  final String nicTag;
  final int vlanId;
  /** Changes with every UpdateNetwork, as moray's etag does. */
  String etag;
  // What UpdateNetwork may change (guarded by the NicStore lock, as the allocator).
  String name;
  long provisionStart;
  long provisionEnd;
  String gateway;
  List<String> resolvers;
  int mtu;
  /** Static routes, destination to gateway; null when never set. */
  Map<String, Object> routes;
  /** The owners allowed to provision; null when anyone may. */
  List<String> ownerUuids;
  String description;

  /** An IP record NAPI stores without a NIC: reserved, or assigned by UpdateIP. */
  record IpRecord(boolean reserved, String ownerUuid, String belongsToUuid, String belongsToType) {
    /** NAPI's {@code free}: not reserved and nothing it belongs to or is owned by. */
    boolean free() {
      return !reserved && ownerUuid == null && belongsToUuid == null && belongsToType == null;
    }
  }

  /**
   * IP records without a NIC: those NAPI makes for the admin user when it creates a network
   * (gateway, resolvers inside the subnet, broadcast), and those UpdateIP writes. A record that
   * is not free is never handed out, and an explicit request for it is a duplicate.
   */
  private final Map<Long, IpRecord> records = new TreeMap<>();

  /** What {@link #holder} answers for an address held by a record that is not free. */
  static final String RESERVED = "reserved";

  private final Map<Long, String> usedBy = new HashMap<>(); // ip -> mac of the NIC holding it
  private final ArrayDeque<Long> released = new ArrayDeque<>();
  private long nextFresh;

  NapiNetwork(String uuid, String name, Ipv4.Cidr subnet, long provisionStart, long provisionEnd, String gateway,
      List<String> resolvers, String nicTag, int vlanId, int mtu) {
    this(uuid, name, subnet, provisionStart, provisionEnd, gateway, resolvers, nicTag, vlanId, mtu, null);
  }

  /** A network; {@code adminUuid} owns the reserved addresses (null: the records have no owner yet). */
  NapiNetwork(String uuid, String name, Ipv4.Cidr subnet, long provisionStart, long provisionEnd, String gateway,
      List<String> resolvers, String nicTag, int vlanId, int mtu, String adminUuid) {
    if (!subnet.contains(provisionStart) || !subnet.contains(provisionEnd) || provisionStart > provisionEnd) {
      throw new IllegalArgumentException("provision range " + Ipv4.format(provisionStart) + "-"
          + Ipv4.format(provisionEnd) + " is not inside " + subnet);
    }
    this.uuid = uuid;
    this.name = name;
    this.subnet = subnet;
    this.provisionStart = provisionStart;
    this.provisionEnd = provisionEnd;
    this.gateway = gateway;
    this.resolvers = List.copyOf(resolvers);
    this.nicTag = nicTag;
    this.vlanId = vlanId;
    this.mtu = mtu;
    this.etag = Long.toHexString(uuid.hashCode() & 0xffffffffL).toUpperCase();
    IpRecord admin = new IpRecord(true, adminUuid, adminUuid, "other");
    if (gateway != null) {
      records.put(Ipv4.parse(gateway), admin);
    }
    for (String resolver : resolvers) {
      long ip = Ipv4.parse(resolver);
      if (subnet.contains(ip)) {
        records.put(ip, admin);
      }
    }
    records.put(subnet.last(), admin);
    this.nextFresh = provisionStart;
  }

  /** The owner of the admin records, once the store knows the admin user. */
  void adminIs(String adminUuid) {
    records.replaceAll((ip, r) -> r.reserved() && r.ownerUuid() == null && "other".equals(r.belongsToType())
        ? new IpRecord(true, adminUuid, adminUuid, "other") : r);
  }

  /** The record of an address that has one (without a NIC), or null. */
  IpRecord record(long ip) {
    return records.get(ip);
  }

  /** Addresses with a record, in order. */
  Set<Long> recordAddresses() {
    return java.util.Collections.unmodifiableSet(records.keySet());
  }

  void putRecord(long ip, IpRecord r) {
    records.put(ip, r);
  }

  private boolean taken(long ip) {
    IpRecord r = records.get(ip);
    return usedBy.containsKey(ip) || (r != null && !r.free());
  }

  /** A new provision range (already checked): addresses below the old start become fresh again. */
  void provisionRange(long start, long end) {
    provisionStart = start;
    provisionEnd = end;
    nextFresh = start; // the allocator skips what is held; a shrunk range simply hands out less
  }

  /**
   * A network on {@code cidr} whose provision range skips the network address, the first
   * ten addresses (gateway, resolvers, headnode services) and the broadcast address.
   */
  static NapiNetwork standard(String uuid, String name, String cidr, String nicTag, boolean withGateway) {
    Ipv4.Cidr c = Ipv4.Cidr.parse(cidr);
    String gw = withGateway ? Ipv4.format(c.base() + 1) : null;
    List<String> resolvers = withGateway ? List.of("8.8.8.8", "8.8.4.4") : List.of(Ipv4.format(c.base() + 11));
    return new NapiNetwork(uuid, name, c, c.base() + 10, c.last() - 1, gw, resolvers, nicTag, 0, 1500);
  }

  /** Takes the next free address for {@code mac}; null when the range is exhausted. */
  Long allocate(String mac) {
    while (nextFresh <= provisionEnd && taken(nextFresh)) {
      nextFresh++;
    }
    if (nextFresh <= provisionEnd) {
      long ip = nextFresh++;
      usedBy.put(ip, mac);
      return ip;
    }
    while (!released.isEmpty()) {
      long ip = released.pollFirst();
      if (!taken(ip) && ip >= provisionStart && ip <= provisionEnd) {
        usedBy.put(ip, mac);
        return ip;
      }
    }
    return null;
  }

  /** The MAC holding {@code ip}, {@link #RESERVED}, or null. */
  String holder(long ip) {
    String mac = usedBy.get(ip);
    IpRecord r = records.get(ip);
    return mac == null && r != null && !r.free() ? RESERVED : mac;
  }

  /** Claims an explicit address (already checked to be free and inside the subnet). */
  void claim(long ip, String mac) {
    usedBy.put(ip, mac);
  }

  void release(long ip) {
    if (usedBy.remove(ip) != null && ip >= provisionStart && ip <= provisionEnd && ip < nextFresh) {
      released.addLast(ip);
    }
  }

  /** Each held address and the MAC holding it. */
  Map<Long, String> holders() {
    return java.util.Collections.unmodifiableMap(usedBy);
  }

  int usedCount() {
    return usedBy.size();
  }

  /** The network as NAPI serialises it (triton-apis.md §4.4; sdc-napi's Network.serialize). */
  Map<String, Object> render() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("family", "ipv4");
    m.put("mtu", mtu);
    m.put("nic_tag", nicTag);
    m.put("name", name);
    m.put("provision_end_ip", Ipv4.format(provisionEnd));
    m.put("provision_start_ip", Ipv4.format(provisionStart));
    m.put("subnet", subnet.toString());
    m.put("uuid", uuid);
    m.put("vlan_id", vlanId);
    m.put("resolvers", resolvers);
    if (gateway != null) {
      m.put("gateway", gateway);
    }
    if (routes != null) {
      m.put("routes", routes);
    }
    if (description != null && !description.isEmpty()) {
      m.put("description", description);
    }
    if (ownerUuids != null) {
      m.put("owner_uuids", ownerUuids);
    }
    m.put("netmask", subnet.netmask());
    return m;
  }
}
