package com.joyent.mockcloud.mirror;

import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.util.Ipv4;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code mirror export --anonymise} (docs/mirror.md "What leaves the datacenter"): replaces
 * owner uuids, VM aliases, server hostnames, metadata values and public IPv4 addresses with
 * values derived from a key made for this export alone (HMAC-SHA256), so the same input gives
 * the same output everywhere in one archive and nothing can be traced back without the key,
 * which is never written. Public networks move to blocks of the same size in 198.18.0.0/15
 * (RFC 2544's benchmarking range) keeping each address's offset, so subnets, gateways,
 * provision ranges and NIC addresses stay consistent; other public addresses are numbered
 * from the top of that range down. Private, loopback, link-local, CGNAT and multicast
 * addresses and netmasks are kept.
 */
public final class Anonymiser {
  private static final long POOL_BASE = Ipv4.parse("198.18.0.0");
  private static final long POOL_END = Ipv4.parse("198.19.255.255");
  private final byte[] key;
  private final Map<Long, Long> networkBlocks = new LinkedHashMap<>();
  private final List<Ipv4.Cidr> publicSubnets = new ArrayList<>();
  private final Map<Long, Long> strays = new HashMap<>();
  private long nextBlock = POOL_BASE;
  private long nextStray = POOL_END;

  Anonymiser(byte[] key) {
    this.key = key.clone();
  }

  public static Anonymiser withRandomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return new Anonymiser(k);
  }

  public MirrorArchive apply(MirrorArchive in) {
    Map<String, List<Map<String, Object>>> sections = new LinkedHashMap<>();
    for (String s : MirrorArchive.SECTIONS) {
      sections.put(s, new ArrayList<>(Json.deepCopy(in.section(s))));
    }
    for (Map<String, Object> n : sections.get("networks")) {
      reserveBlock(n.get("subnet"));
    }
    for (Map<String, Object> vm : sections.get("vms")) {
      owner(vm, "owner_uuid");
      if (vm.get("alias") instanceof String a) {
        vm.put("alias", "vm-" + hex(a, 8));
      }
      for (String md : List.of("customer_metadata", "internal_metadata")) {
        if (vm.get(md) instanceof Map<?, ?> raw) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) raw;
          m.replaceAll((k, v) -> "anon-" + hex(k + "=" + Json.compact(v), 12));
        }
      }
    }
    for (Map<String, Object> s : sections.get("servers")) {
      if (s.get("hostname") instanceof String h) {
        s.put("hostname", hostname(h));
      }
      if (s.get("sysinfo") instanceof Map<?, ?> raw && raw.get("Hostname") instanceof String h) {
        @SuppressWarnings("unchecked")
        Map<String, Object> si = (Map<String, Object>) raw;
        si.put("Hostname", hostname(h));
      }
    }
    for (String s : List.of("nics", "packages")) {
      for (Map<String, Object> o : sections.get(s)) {
        owner(o, "owner_uuid");
        owners(o);
      }
    }
    for (String s : List.of("networks", "network_pools")) {
      sections.get(s).forEach(this::owners);
    }
    for (List<Map<String, Object>> items : sections.values()) {
      for (int i = 0; i < items.size(); i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) addresses(items.get(i));
        items.set(i, m);
      }
    }
    Map<String, Object> source = new LinkedHashMap<>(in.source());
    source.replaceAll((k, v) -> k.equals("datacenter") ? v : "(anonymised)");
    return MirrorArchive.of(source, in.exportedAt(), true, sections);
  }

  private String hostname(String h) {
    return "cn-" + hex(h, 8);
  }

  private void owner(Map<String, Object> o, String key) {
    if (o.get(key) instanceof String u) {
      o.put(key, uuid(u));
    }
  }

  private void owners(Map<String, Object> o) {
    if (o.get("owner_uuids") instanceof List<?> l) {
      o.put("owner_uuids", l.stream().map(u -> (Object) uuid(String.valueOf(u))).toList());
    }
  }

  String uuid(String value) {
    ByteBuffer b = ByteBuffer.wrap(hmac("uuid:" + value));
    long hi = b.getLong() & ~0xF000L | 0x4000L;
    long lo = b.getLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  private String hex(String value, int chars) {
    return HexFormat.of().formatHex(hmac(value)).substring(0, chars);
  }

  private byte[] hmac(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private void reserveBlock(Object subnet) {
    Ipv4.Cidr c;
    try {
      c = Ipv4.Cidr.parse(subnet instanceof String s ? s : null);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (!isPublic(c.base()) || networkBlocks.containsKey(c.base())) {
      return;
    }
    long size = c.last() - c.base() + 1;
    long start = (nextBlock + size - 1) / size * size;
    if (start + size - 1 > nextStray) {
      throw new IllegalStateException("too many public networks to anonymise into 198.18.0.0/15");
    }
    networkBlocks.put(c.base(), start);
    publicSubnets.add(c);
    nextBlock = start + size;
  }

  /** Every string in the tree that is a public IPv4 address or CIDR block, replaced. */
  private Object addresses(Object v) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      map.replaceAll((k, x) -> addresses(x));
      return map;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(addresses(x)));
      return out;
    }
    if (v instanceof String s) {
      int slash = s.indexOf('/');
      Long ip = Ipv4.parse(slash < 0 ? s : s.substring(0, slash));
      if (ip == null || !isPublic(ip)) {
        return s;
      }
      return Ipv4.format(mapAddress(ip)) + (slash < 0 ? "" : s.substring(slash));
    }
    return v;
  }

  private long mapAddress(long ip) {
    for (Ipv4.Cidr c : publicSubnets) {
      if (c.contains(ip)) {
        return networkBlocks.get(c.base()) + (ip - c.base());
      }
    }
    Long known = strays.get(ip);
    if (known != null) {
      return known;
    }
    if (nextStray < nextBlock) {
      throw new IllegalStateException("too many public addresses to anonymise into 198.18.0.0/15");
    }
    strays.put(ip, nextStray);
    return nextStray--;
  }

  static boolean isPublic(long ip) {
    return !(in(ip, "10.0.0.0", 8) || in(ip, "172.16.0.0", 12) || in(ip, "192.168.0.0", 16)
        || in(ip, "100.64.0.0", 10) || in(ip, "127.0.0.0", 8) || in(ip, "169.254.0.0", 16) || in(ip, "0.0.0.0", 8)
        || in(ip, "198.18.0.0", 15) || ip >= Ipv4.parse("224.0.0.0"));
  }

  private static boolean in(long ip, String base, int bits) {
    long b = Ipv4.parse(base);
    long mask = (0xffffffffL << (32 - bits)) & 0xffffffffL;
    return (ip & mask) == b;
  }
}
