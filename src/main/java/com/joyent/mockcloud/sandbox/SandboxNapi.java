package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import io.undertow.server.HttpHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The NAPI stand-in: nic tags, the {@code admin} and {@code external} networks, and NICs by
 * MAC (triton-apis.md §4, net-agent-cmon-mockcloud.md §3). State lives in {@link NicTagStore}
 * and {@link NicStore}; this class only maps HTTP onto them. Routes answer at once on the I/O
 * thread (the stores' locks guard map operations only).
 */
public final class SandboxNapi {
  static final String SERVER_HEADER = "napi/1.4.1";
  private static final Set<String> NIC_FILTERS = Set.of("owner_uuid", "belongs_to_uuid", "belongs_to_type",
      "cn_uuid", "network_uuid", "nic_tag", "nic_tags_provided", "state", "allow_dhcp_spoofing",
      "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic", "allow_unfiltered_promisc",
      "underlay");
  private static final Set<String> NETWORK_FILTERS = Set.of("fabric", "family", "name", "vlan_id", "nic_tag",
      "owner_uuid", "provisionable_by");
  private static final Set<String> POOL_FILTERS = Set.of("name", "networks", "provisionable_by", "family", "uuid");
  private static final Set<String> IP_FILTERS = Set.of("belongs_to_type", "belongs_to_uuid", "owner_uuid");

  private static final Set<String> CREATE = Set.of("create");

  private final NicTagStore nicTags;
  private final NicStore nics;
  private final NetworkPools pools;
  private final String adminNetworkUuid;
  private final String externalNetworkUuid;
  /** Null when the sandbox runs without a changefeed (as an older NAPI would). */
  private final NapiChangefeed changefeed;
  private final String adminUuid;
  private volatile String selfUrl = "";

  SandboxNapi(SandboxOptions options) {
    this.changefeed = options.changefeed() ? new NapiChangefeed(options.clock()) : null;
    this.adminUuid = options.adminUuid();
    this.nicTags = new NicTagStore();
    nicTags.create("admin", 1500);
    nicTags.create("external", 1500);
    this.adminNetworkUuid = UUID.randomUUID().toString();
    this.externalNetworkUuid = UUID.randomUUID().toString();
    this.nics = new NicStore(options.clock(), nicTags, List.of(
        NapiNetwork.standard(adminNetworkUuid, "admin", options.adminSubnet(), "admin", false),
        NapiNetwork.standard(externalNetworkUuid, "external", options.externalSubnet(), "external", true)),
        options.adminUuid());
    this.pools = new NetworkPools(uuid -> {
      try {
        return nics.network(uuid);
      } catch (RestError notFound) {
        return null;
      }
    });
  }

  NetworkPools pools() {
    return pools;
  }

  public NicStore nics() {
    return nics;
  }

  public NicTagStore nicTags() {
    return nicTags;
  }

  public String adminNetworkUuid() {
    return adminNetworkUuid;
  }

  public String externalNetworkUuid() {
    return externalNetworkUuid;
  }

  RestRouter router() {
    RestRouter r = new RestRouter(SERVER_HEADER);
    r.get("/ping", req -> RestResponse.ok(ping()));
    r.get("/nic_tags", req -> RestResponse.ok(page(nicTags.list(), req)));
    r.post("/nic_tags", req -> RestResponse.ok(nicTags.create(req.params().get("name"), req.params().get("mtu"))));
    r.get("/nic_tags/{name}", req -> RestResponse.ok(nicTags.get(req.pathParam("name"))));
    r.put("/nic_tags/{name}", req -> RestResponse.ok(nicTags.updateMtu(req.pathParam("name"),
        req.params().get("mtu"))));
    r.delete("/nic_tags/{name}", req -> {
      nicTags.delete(req.pathParam("name"));
      return RestResponse.noContent();
    });
    r.get("/networks", this::listNetworks);
    r.get("/networks/{uuid}", req -> RestResponse.ok(nics.network(req.pathParam("uuid")))
        .withHeader("Etag", nics.networkEtag(req.pathParam("uuid"))));
    r.post("/networks/{uuid}/nics", req -> changed(create(req.pathParam("uuid"), req.params()), CREATE));
    r.post("/networks", req -> {
      Map<String, Object> net = nics.createNetwork(req.params());
      changefeed.publish("network", CREATE, (String) net.get("uuid"), Map.of());
      return RestResponse.ok(net).withHeader("Etag", nics.networkEtag((String) net.get("uuid")));
    });
    r.put("/networks/{uuid}", req -> {
      NicStore.NetworkUpdate u = nics.updateNetwork(req.pathParam("uuid"), req.params());
      String uuid = (String) u.network().get("uuid");
      changefeed.publish("network", u.changed(), uuid, Map.of());
      return RestResponse.ok(u.network()).withHeader("Etag", nics.networkEtag(uuid));
    });
    r.delete("/networks/{uuid}", req -> {
      String uuid = (String) nics.network(req.pathParam("uuid")).get("uuid");
      List<String> holding = pools.list(null, uuid).stream().map(p -> (String) p.get("uuid")).toList();
      nics.deleteNetwork(uuid, holding);
      changefeed.publish("network", Set.of("delete"), uuid, Map.of());
      return RestResponse.noContent();
    });
    r.put("/networks/{uuid}/ips/{ip}",
        req -> RestResponse.ok(nics.updateIp(req.pathParam("uuid"), req.pathParam("ip"), req.params())));
    r.get("/network_pools", req -> {
      rejectUnknown(req.query().keySet(), POOL_FILTERS);
      return RestResponse.ok(page(pools.list(req.query().get("name"), req.query().get("networks")), req));
    });
    r.post("/network_pools", req -> RestResponse.ok(pools.create(req.params())));
    r.get("/network_pools/{uuid}", req -> RestResponse.ok(pools.get(req.pathParam("uuid"))));
    r.put("/network_pools/{uuid}", req -> RestResponse.ok(pools.update(req.pathParam("uuid"), req.params())));
    r.delete("/network_pools/{uuid}", req -> {
      pools.delete(req.pathParam("uuid"));
      return RestResponse.noContent();
    });
    r.get("/networks/{uuid}/ips", this::listIps);
    r.get("/networks/{uuid}/ips/{ip}", req -> RestResponse.ok(nics.ip(req.pathParam("uuid"), req.pathParam("ip"))));
    r.get("/nics", this::listNics);
    r.post("/nics", req -> changed(nics.create(req.params(), null), CREATE));
    r.get("/nics/{mac}", req -> withEtag(nics.get(req.pathParam("mac"))));
    r.put("/nics/{mac}", req -> {
      Map<String, Object> nic = nics.update(req.pathParam("mac"), req.params(), req.header("If-Match"));
      Set<String> touched = new TreeSet<>(req.params().keySet());
      touched.retainAll(NapiChangefeed.NIC_UPDATE_FIELDS);
      return changed(nic, touched);
    });
    r.delete("/nics/{mac}", req -> {
      publishNic(nics.delete(req.pathParam("mac"), req.header("If-Match")), Set.of("delete"), null);
      return RestResponse.noContent();
    });
    if (changefeed != null) {
      r.get("/changefeeds", req -> RestResponse.ok(NapiChangefeed.descriptors()));
      r.get("/changefeeds/stats", req -> RestResponse.ok(changefeed.stats()));
    }
    return r;
  }

  /** The HTTP handler to serve: the router, plus changefeed WebSocket upgrades when enabled. */
  HttpHandler handler() {
    RestRouter r = router();
    return changefeed == null ? r : changefeed.wrap(r);
  }

  /**
   * ProvisionNic on a network, or on a pool: there on the first of its networks with a free
   * address (an explicit ip is refused, as NAPI does).
   */
  private Map<String, Object> create(String networkOrPool, Map<String, Object> params) {
    Map<String, Object> pool = pools.find(networkOrPool);
    if (pool == null) {
      return nics.create(params, networkOrPool);
    }
    if (params.get("ip") != null) {
      throw RestError.invalidParameters(List.of(RestError.fieldError("ip", "InvalidParameter",
          "IP cannot be specified with a network pool")));
    }
    @SuppressWarnings("unchecked")
    List<String> members = (List<String>) pool.get("networks");
    for (String net : members) {
      try {
        return nics.create(params, net);
      } catch (RestError e) {
        if (e.status() != 507) {
          throw e;
        }
      }
    }
    throw new RestError(507, "SubnetFull", "All networks in pool " + pool.get("uuid") + " are full");
  }

  /** ProvisionNic in-process (VMAPI's provisioning), published on the changefeed as over HTTP. */
  Map<String, Object> provisionNic(String network, Map<String, Object> params) {
    Map<String, Object> nic = create(network, params);
    publishNic(nic, CREATE, nics.etag((String) nic.get("mac")));
    return nic;
  }

  /** UpdateNic in-process (VMAPI's update_nics), published on the changefeed as over HTTP. */
  Map<String, Object> updateNic(String mac, Map<String, Object> params) {
    Map<String, Object> nic = nics.update(mac, params, null);
    Set<String> touched = new TreeSet<>(params.keySet());
    touched.retainAll(NapiChangefeed.NIC_UPDATE_FIELDS);
    publishNic(nic, touched, nics.etag((String) nic.get("mac")));
    return nic;
  }

  void selfUrl(String url) {
    this.selfUrl = url;
  }

  /** This NAPI's base URL (as workflows carry it in their params). */
  String selfUrl() {
    return selfUrl;
  }

  /**
   * What booter does when a CN it does not know asks for a lease on its admin NIC: the NIC is
   * in NAPI again, on the admin network, owned by the admin user. The sandbox keeps the address
   * sysinfo has. Nothing is done when NAPI has the MAC or sysinfo names no admin NIC.
   */
  void bootAdminNic(Map<String, Object> sysinfo) {
    if (!(sysinfo.get("Network Interfaces") instanceof Map<?, ?> ifaces)) {
      return;
    }
    for (Object i : ifaces.values()) {
      if (i instanceof Map<?, ?> nic && nic.get("NIC Names") instanceof List<?> names && names.contains("admin")
          && nic.get("MAC Address") instanceof String mac && nics.find(mac) == null) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("mac", mac);
        if (nic.get("ip4addr") instanceof String ip && !ip.isEmpty()) {
          params.put("ip", ip);
        }
        params.put("belongs_to_type", "other");
        params.put("belongs_to_uuid", adminUuid);
        params.put("owner_uuid", adminUuid);
        params.put("nic_tags_provided", List.of("admin"));
        provisionNic(adminNetworkUuid, params);
        return;
      }
    }
  }

  /** DeleteNic in-process (VMAPI's destroy), published on the changefeed; a NIC already gone is no error. */
  void deleteNic(String mac) {
    try {
      publishNic(nics.delete(mac, null), Set.of("delete"), null);
    } catch (RestError gone) {
      // removed meanwhile (e.g. by net-agent): nothing left to do
    }
  }

  /** A created or updated NIC: its changefeed item, and the answer with its {@code Etag}. */
  private RestResponse changed(Map<String, Object> nic, Set<String> subResources) {
    String etag;
    try {
      etag = nics.etag((String) nic.get("mac"));
    } catch (RestError gone) {
      publishNic(nic, subResources, null); // deleted meanwhile: its delete item follows
      throw gone;
    }
    publishNic(nic, subResources, etag);
    return RestResponse.ok(nic).withHeader("Etag", etag);
  }

  /** A NIC item as NAPI publishes it (§2.4 step 5); {@code etag} is null once the NIC is gone. */
  private void publishNic(Map<String, Object> nic, Set<String> subResources, String etag) {
    if (changefeed == null) {
      return;
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("belongs_to_uuid", nic.get("belongs_to_uuid"));
    extra.put("cn_uuid", nic.get("cn_uuid"));
    if (etag != null) {
      extra.put("etag", etag);
    }
    changefeed.publish("nic", subResources, (String) nic.get("mac"), extra);
  }

  private RestResponse withEtag(Map<String, Object> nic) {
    return RestResponse.ok(nic).withHeader("Etag", nics.etag((String) nic.get("mac")));
  }

  private static Map<String, Object> ping() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("fabrics_enabled", false);
    config.put("subnet_alloc_enabled", false);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("config", config);
    m.put("healthy", true);
    m.put("services", Map.of("moray", "online"));
    m.put("status", "OK");
    return m;
  }

  private RestResponse listNics(RestRequest req) {
    Map<String, String> q = req.query();
    rejectUnknown(q.keySet(), NIC_FILTERS);
    Map<String, List<String>> filters = new LinkedHashMap<>();
    q.forEach((k, v) -> {
      if (NIC_FILTERS.contains(k)) {
        filters.put(k, Values.list(v));
      }
    });
    List<String> owners = filters.get("belongs_to_uuid");
    List<Map<String, Object>> all = nics.list(owners == null ? null : new HashSet<>(owners),
        nic -> matches(nic, filters));
    return RestResponse.ok(page(all, req));
  }

  /** ListIPs: strict parameters; belongs_to_type, belongs_to_uuid, owner_uuid match exactly. */
  private RestResponse listIps(RestRequest req) {
    Map<String, String> q = req.query();
    rejectUnknown(q.keySet(), IP_FILTERS);
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String k : List.of("belongs_to_uuid", "owner_uuid")) {
      if (q.containsKey(k) && !Values.isUuidAnyCase(q.get(k))) {
        errors.add(RestError.fieldError(k, "InvalidParameter", "invalid UUID"));
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    List<Map<String, Object>> all = nics.ips(req.pathParam("uuid"), ip -> IP_FILTERS.stream()
        .allMatch(k -> !q.containsKey(k) || q.get(k).equals(ip.get(k))));
    return RestResponse.ok(page(all, req));
  }

  private RestResponse listNetworks(RestRequest req) {
    Map<String, String> q = req.query();
    rejectUnknown(q.keySet(), NETWORK_FILTERS);
    List<String> names = Values.list(q.get("name"));
    List<String> tags = Values.list(q.get("nic_tag"));
    String vlan = q.get("vlan_id");
    String family = q.get("family");
    boolean fabricOnly = Values.isTrueParam(q.get("fabric"));
    List<Map<String, Object>> all = nics.networks(n -> (names.isEmpty() || names.contains(n.get("name")))
        && (tags.isEmpty() || tags.contains(n.get("nic_tag")))
        && (vlan == null || vlan.equals(String.valueOf(n.get("vlan_id"))))
        && (family == null || family.equals(n.get("family")))
        && !fabricOnly);
    return RestResponse.ok(page(all, req));
  }

  /** A NIC matches when, for every filter, one of its comma-separated values equals the field. */
  private static boolean matches(Map<String, Object> nic, Map<String, List<String>> filters) {
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      Object v = nic.get(f.getKey());
      boolean hit = false;
      for (String want : f.getValue()) {
        if (v instanceof List<?> l ? l.contains(want) : want.equals(v == null ? null : String.valueOf(v))
            || (v == null && want.equals("false") && NicStore.ALLOW_FLAGS.contains(f.getKey()))) {
          hit = true;
          break;
        }
      }
      if (!hit) {
        return false;
      }
    }
    return true;
  }

  private static void rejectUnknown(Set<String> given, Set<String> filters) {
    Set<String> unknown = new TreeSet<>();
    for (String k : given) {
      if (!filters.contains(k) && !k.equals("limit") && !k.equals("offset")) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("field", List.copyOf(unknown));
      e.put("code", "UnknownParameters");
      e.put("message", "Unknown parameters: " + String.join(", ", unknown));
      throw RestError.invalidParameters(List.of(e));
    }
  }

  /** NAPI pagination: {@code limit} 1–1000 (default 1000), {@code offset} >= 0 (default 0). */
  static <T> List<T> page(List<T> all, RestRequest req) {
    List<Map<String, Object>> errors = new ArrayList<>();
    int limit = 1000;
    int offset = 0;
    String l = req.query().get("limit");
    if (l != null) {
      Integer v = l.matches("\\d+") ? Values.parseInt(l) : null;
      if (v == null || v < 1 || v > 1000) {
        errors.add(RestError.fieldError("limit", "InvalidParameter",
            "invalid limit, must be an integer between 1 and 1000"));
      } else {
        limit = v;
      }
    }
    String o = req.query().get("offset");
    if (o != null) {
      Integer v = o.matches("\\d+") ? Values.parseInt(o) : null;
      if (v == null) {
        errors.add(RestError.fieldError("offset", "InvalidParameter", "invalid value, must be a positive integer"));
      } else {
        offset = v;
      }
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    if (offset >= all.size()) {
      return List.of();
    }
    return all.subList(offset, Math.min(all.size(), offset + limit));
  }
}
