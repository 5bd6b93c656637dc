package com.joyent.mockcloud.sandbox;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
  final String name;
  final Ipv4.Cidr subnet;
  final long provisionStart;
  final long provisionEnd;
  final String gateway;
  final List<String> resolvers;
  final String nicTag;
  final int vlanId;
  final int mtu;
  final String etag;
  /**
   * Addresses NAPI reserves for the admin user when it creates a network (gateway, resolvers
   * inside the subnet, broadcast): never handed out, and an explicit request for one is a
   * duplicate, as an IP held by something else.
   */
  final Set<Long> reserved;

  /** What {@link #holder} answers for a reserved address. */
  static final String RESERVED = "reserved";

  private final Map<Long, String> usedBy = new HashMap<>(); // ip -> mac of the NIC holding it
  private final ArrayDeque<Long> released = new ArrayDeque<>();
  private long nextFresh;

  NapiNetwork(String uuid, String name, Ipv4.Cidr subnet, long provisionStart, long provisionEnd, String gateway,
      List<String> resolvers, String nicTag, int vlanId, int mtu) {
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
    Set<Long> r = new TreeSet<>();
    if (gateway != null) {
      r.add(Ipv4.parse(gateway));
    }
    for (String resolver : resolvers) {
      long ip = Ipv4.parse(resolver);
      if (subnet.contains(ip)) {
        r.add(ip);
      }
    }
    r.add(subnet.last());
    this.reserved = Set.copyOf(r);
    this.nextFresh = provisionStart;
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
    while (nextFresh <= provisionEnd && (usedBy.containsKey(nextFresh) || reserved.contains(nextFresh))) {
      nextFresh++;
    }
    if (nextFresh <= provisionEnd) {
      long ip = nextFresh++;
      usedBy.put(ip, mac);
      return ip;
    }
    while (!released.isEmpty()) {
      long ip = released.pollFirst();
      if (!usedBy.containsKey(ip)) {
        usedBy.put(ip, mac);
        return ip;
      }
    }
    return null;
  }

  /** The MAC holding {@code ip}, {@link #RESERVED}, or null. */
  String holder(long ip) {
    String mac = usedBy.get(ip);
    return mac == null && reserved.contains(ip) ? RESERVED : mac;
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

  /** The network as NAPI renders it (§3.2). */
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
    m.put("netmask", subnet.netmask());
    return m;
  }
}
