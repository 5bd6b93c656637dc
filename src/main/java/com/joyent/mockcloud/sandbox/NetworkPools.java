package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * NAPI's network pools (sdc-napi lib/models/network-pool.js): a name, a description, the
 * networks (1 to 64, all of one address family; the pool presents their NIC tags) and owners.
 * Validation answers NAPI's 422 InvalidParameters elements.
 *
 * <p>Thread contract: this object's lock guards the pools; {@code network} looks a network up
 * in the {@link NicStore} and must not call back into this object.
 */
final class NetworkPools {
  private static final int MAX_NETS = 64;

  private final Map<String, Map<String, Object>> pools = new LinkedHashMap<>();
  private final Function<String, Map<String, Object>> network;

  /** {@code network}: the rendered network of a uuid, or null. */
  NetworkPools(Function<String, Map<String, Object>> network) {
    this.network = network;
  }

  synchronized Map<String, Object> create(Map<String, Object> params) {
    List<Map<String, Object>> errors = new ArrayList<>();
    Object name = params.get("name");
    if (name == null) {
      errors.add(RestError.fieldError("name", "MissingParameter", "Missing parameter"));
    } else if (!(name instanceof String) || ((String) name).isEmpty()) {
      errors.add(RestError.fieldError("name", "InvalidParameter", "must be a string"));
    }
    List<String> nets = params.containsKey("networks") ? networks(params.get("networks"), errors) : null;
    if (nets == null && !params.containsKey("networks")) {
      errors.add(RestError.fieldError("networks", "MissingParameter", "Missing parameter"));
    }
    List<String> owners = owners(params, errors);
    Object uuid = params.get("uuid");
    if (uuid != null && !Values.isUuid(uuid)) {
      errors.add(RestError.fieldError("uuid", "InvalidParameter", "invalid UUID"));
    }
    if (name instanceof String n && pools.values().stream().anyMatch(p -> n.equals(p.get("name")))) {
      errors.add(RestError.fieldError("name", "Duplicate", "Already exists"));
    }
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    Map<String, Object> pool = new LinkedHashMap<>();
    pool.put("uuid", uuid != null ? uuid : UUID.randomUUID().toString());
    pool.put("name", name);
    pool.put("description", params.get("description"));
    pool.put("networks", nets);
    if (owners != null) {
      pool.put("owner_uuids", owners);
    }
    pools.put((String) pool.get("uuid"), pool);
    return render(pool);
  }

  synchronized Map<String, Object> update(String uuid, Map<String, Object> params) {
    Map<String, Object> pool = require(uuid);
    List<Map<String, Object>> errors = new ArrayList<>();
    List<String> nets = params.containsKey("networks") ? networks(params.get("networks"), errors) : null;
    List<String> owners = params.containsKey("owner_uuids") && params.get("owner_uuids") == null ? List.of()
        : owners(params, errors);
    if (!errors.isEmpty()) {
      throw RestError.invalidParameters(errors);
    }
    for (String k : List.of("name", "description")) {
      if (params.get(k) instanceof String v) {
        pool.put(k, v);
      }
    }
    if (nets != null) {
      pool.put("networks", nets);
    }
    if (owners != null) {
      if (owners.isEmpty()) {
        pool.remove("owner_uuids");
      } else {
        pool.put("owner_uuids", owners);
      }
    }
    return render(pool);
  }

  synchronized Map<String, Object> get(String uuid) {
    return render(require(uuid));
  }

  /** The pool named {@code nameOrUuid} (by uuid first), or null. */
  synchronized Map<String, Object> find(String nameOrUuid) {
    Map<String, Object> p = pools.get(nameOrUuid);
    if (p == null) {
      p = pools.values().stream().filter(x -> nameOrUuid.equals(x.get("name"))).findFirst().orElse(null);
    }
    return p == null ? null : render(p);
  }

  synchronized void delete(String uuid) {
    require(uuid);
    pools.remove(uuid);
  }

  synchronized List<Map<String, Object>> list(String name, String networkUuid) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> p : pools.values()) {
      @SuppressWarnings("unchecked")
      List<String> nets = (List<String>) p.get("networks");
      if ((name == null || name.equals(p.get("name"))) && (networkUuid == null || nets.contains(networkUuid))) {
        out.add(render(p));
      }
    }
    return out;
  }

  private Map<String, Object> require(String uuid) {
    Map<String, Object> p = uuid == null ? null : pools.get(uuid);
    if (p == null) {
      throw RestError.resourceNotFound("network pool not found");
    }
    return p;
  }

  /** 1 to 64 existing network uuids (a list or a comma string), sorted as NAPI keeps them. */
  private List<String> networks(Object raw, List<Map<String, Object>> errors) {
    List<String> uuids = Values.list(raw);
    if (uuids.stream().anyMatch(u -> !Values.isUuid(u))) {
      errors.add(RestError.fieldError("networks", "InvalidParameter", "invalid UUIDs"));
      return null;
    }
    if (uuids.isEmpty()) {
      errors.add(RestError.fieldError("networks", "InvalidParameter", "network pool must contain at least one network"));
      return null;
    }
    if (uuids.size() > MAX_NETS) {
      errors.add(RestError.fieldError("networks", "InvalidParameter", "maximum 64 networks per network pool"));
      return null;
    }
    List<String> unknown = uuids.stream().filter(u -> network.apply(u) == null).toList();
    if (!unknown.isEmpty()) {
      Map<String, Object> e = RestError.fieldError("networks", "InvalidParameter",
          unknown.size() == 1 ? "unknown network" : "unknown networks");
      e = new LinkedHashMap<>(e);
      e.put("invalid", unknown);
      errors.add(e);
      return null;
    }
    return List.copyOf(new TreeSet<>(uuids));
  }

  private static List<String> owners(Map<String, Object> params, List<Map<String, Object>> errors) {
    if (!params.containsKey("owner_uuids")) {
      return null;
    }
    List<String> owners = Values.list(params.get("owner_uuids"));
    if (owners.stream().anyMatch(u -> !Values.isUuid(u))) {
      errors.add(RestError.fieldError("owner_uuids", "InvalidParameter", "invalid UUIDs"));
      return null;
    }
    return owners;
  }

  /** NAPI's serialised pool: family, uuid, name, description, networks, nic_tags_present, nic_tag, owner_uuids. */
  private Map<String, Object> render(Map<String, Object> pool) {
    Map<String, Object> m = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    List<String> nets = (List<String>) pool.get("networks");
    Set<String> tags = new LinkedHashSet<>();
    for (String n : nets) {
      Map<String, Object> net = network.apply(n);
      if (net != null) {
        tags.add(String.valueOf(net.get("nic_tag")));
      }
    }
    m.put("family", "ipv4");
    m.put("uuid", pool.get("uuid"));
    m.put("name", pool.get("name"));
    if (pool.get("description") != null) {
      m.put("description", pool.get("description"));
    }
    m.put("networks", nets);
    m.put("nic_tags_present", List.copyOf(tags));
    m.put("nic_tag", tags.isEmpty() ? null : tags.iterator().next());
    if (pool.get("owner_uuids") != null) {
      m.put("owner_uuids", pool.get("owner_uuids"));
    }
    return m;
  }
}
