package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * SAPI's objects in memory (sdc-sapi lib/server/model.js): applications, services, instances
 * and manifests, and the config of an instance as GetConfig assembles it. Every method takes
 * this object's lock for map work only. Errors are SAPI's codes and words.
 */
final class SapiStore {
  /** The object kinds, as their paths and messages name them. */
  enum Kind {
    APPLICATION("application"), SERVICE("service"), INSTANCE("instance"), MANIFEST("manifest");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  private final Map<Kind, Map<String, Map<String, Object>>> objects = new LinkedHashMap<>();
  /** SAPI's own server (the headnode): GetConfig's SERVER_UUID for an instance without params.server_uuid. */
  private final String headnodeUuid;

  SapiStore(String headnodeUuid) {
    this.headnodeUuid = headnodeUuid;
    for (Kind k : Kind.values()) {
      objects.put(k, new LinkedHashMap<>());
    }
  }

  /** CreateApplication: {@code name} and {@code owner_uuid} required. */
  synchronized Map<String, Object> createApplication(Map<String, Object> p) {
    requireKeys(p, "name", "owner_uuid");
    Map<String, Object> app = base(p);
    app.put("name", p.get("name"));
    app.put("owner_uuid", p.get("owner_uuid"));
    putIfGiven(app, p, "metadata_schema");
    return store(Kind.APPLICATION, app);
  }

  /** CreateService: {@code name} and {@code application_uuid} (an existing application) required. */
  synchronized Map<String, Object> createService(Map<String, Object> p) {
    requireKeys(p, "name", "application_uuid");
    require(Kind.APPLICATION, String.valueOf(p.get("application_uuid")));
    Object type = p.getOrDefault("type", "vm");
    if (!"vm".equals(type) && !"agent".equals(type)) {
      throw RestError.internalError("invalid service type: " + type);
    }
    Map<String, Object> svc = base(p);
    svc.put("name", p.get("name"));
    svc.put("application_uuid", p.get("application_uuid"));
    svc.put("type", type);
    return store(Kind.SERVICE, svc);
  }

  /**
   * CreateInstance: an upsert, as SAPI's putObject (re-adopting the same uuid replaces it).
   * The type is the service's; an agent instance is only recorded, never provisioned.
   */
  synchronized Map<String, Object> createInstance(Map<String, Object> p) {
    requireKeys(p, "service_uuid");
    Map<String, Object> svc = require(Kind.SERVICE, String.valueOf(p.get("service_uuid")));
    checkManifests(p.get("manifests"));
    Map<String, Object> inst = base(p);
    inst.put("service_uuid", p.get("service_uuid"));
    inst.put("type", svc.get("type"));
    return store(Kind.INSTANCE, inst);
  }

  /** CreateManifest: {@code name}, {@code path}, {@code template}; {@code version} semver, 1.0.0 by default. */
  synchronized Map<String, Object> createManifest(Map<String, Object> p) {
    requireKeys(p, "name", "path", "template");
    Object version = p.getOrDefault("version", "1.0.0");
    if (!(version instanceof String v) || !SEMVER.matcher(v).matches()) {
      throw RestError.invalidArgument("invalid version");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uuid", uuidOf(p));
    m.put("name", p.get("name"));
    m.put("path", p.get("path"));
    m.put("template", Json.deepCopy(p.get("template")));
    putIfGiven(m, p, "post_cmd");
    m.put("version", version);
    putIfGiven(m, p, "master");
    return store(Kind.MANIFEST, m);
  }

  synchronized Map<String, Object> get(Kind kind, String uuid) {
    return Json.deepCopy(require(kind, uuid));
  }

  /** Every object of {@code kind} whose keys equal the given filters (null filter values are ignored). */
  synchronized List<Map<String, Object>> list(Kind kind, Map<String, Object> filters) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> o : objects.get(kind).values()) {
      boolean match = filters.entrySet().stream()
          .allMatch(f -> f.getValue() == null || Objects.equals(String.valueOf(o.get(f.getKey())), f.getValue()));
      if (match) {
        out.add(Json.deepCopy(o));
      }
    }
    return out;
  }

  /**
   * UpdateApplication/Service/Instance: {@code action} update (merge each given field's keys),
   * replace (the whole field) or delete (remove the given keys) over params, metadata, manifests.
   */
  @SuppressWarnings("unchecked")
  synchronized Map<String, Object> update(Kind kind, String uuid, Map<String, Object> p) {
    Map<String, Object> o = require(kind, uuid);
    Object action = p.getOrDefault("action", "update");
    if (!List.of("update", "replace", "delete").contains(action)) {
      throw RestError.invalidArgument("invalid action: " + action);
    }
    checkManifests(p.get("manifests"));
    for (String field : List.of("params", "metadata", "manifests")) {
      Object given = p.get(field);
      if (given == null) {
        continue;
      }
      Map<String, Object> have = (Map<String, Object>) o.get(field);
      switch ((String) action) {
        case "replace" -> o.put(field, given instanceof Map<?, ?> ? Json.deepCopy(given) : new LinkedHashMap<>());
        case "delete" -> {
          if (given instanceof Map<?, ?> m) {
            m.keySet().forEach(have::remove);
          } else if (given instanceof List<?> l) {
            l.forEach(have::remove);
          }
        }
        default -> {
          if (given instanceof Map<?, ?> m) {
            m.forEach((k, v) -> have.put(String.valueOf(k), Json.deepCopy(v)));
          }
        }
      }
    }
    return Json.deepCopy(o);
  }

  synchronized void delete(Kind kind, String uuid) {
    require(kind, uuid);
    objects.get(kind).remove(uuid);
  }

  /**
   * GetConfig: the instance's service and application, their metadata and manifests merged
   * application → service → instance (last wins), the manifests resolved in that order, and
   * the keys SAPI adds (SERVER_UUID, ZONE_UUID, INSTANCE_UUID; user-script removed).
   */
  @SuppressWarnings("unchecked")
  synchronized Map<String, Object> config(String instanceUuid) {
    Map<String, Object> inst = require(Kind.INSTANCE, instanceUuid);
    Map<String, Object> svc = objects.get(Kind.SERVICE).get(String.valueOf(inst.get("service_uuid")));
    Map<String, Object> app = svc == null ? null : objects.get(Kind.APPLICATION).get(String.valueOf(svc.get(
        "application_uuid")));
    Map<String, Object> metadata = new LinkedHashMap<>();
    Map<String, Object> manifestUuids = new LinkedHashMap<>();
    for (Map<String, Object> o : java.util.Arrays.asList(app, svc, inst)) {
      if (o != null) {
        metadata.putAll(Json.deepCopy((Map<String, Object>) o.get("metadata")));
        manifestUuids.putAll((Map<String, Object>) o.get("manifests"));
      }
    }
    Object server = inst.get("params") instanceof Map<?, ?> params ? params.get("server_uuid") : null;
    metadata.put("SERVER_UUID", server != null ? server : headnodeUuid);
    metadata.put("ZONE_UUID", instanceUuid);
    metadata.put("INSTANCE_UUID", instanceUuid);
    metadata.remove("user-script");
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Object uuid : manifestUuids.values()) {
      Map<String, Object> m = objects.get(Kind.MANIFEST).get(String.valueOf(uuid));
      if (m == null) {
        throw RestError.internalError("no such manifest: " + uuid);
      }
      manifests.add(Json.deepCopy(m));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("manifests", manifests);
    config.put("metadata", metadata);
    return config;
  }

  /** The config's Etag: a SHA-1 of it with sorted keys, so equal configs have equal tags. */
  static String etag(Map<String, Object> config) {
    try {
      byte[] canonical = Json.compactBytes(sorted(config));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(canonical));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JVM", e);
    }
  }

  private static Object sorted(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), sorted(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(SapiStore::sorted).toList();
    }
    return v;
  }

  private void checkManifests(Object manifests) {
    if (manifests instanceof Map<?, ?> m) {
      for (Object uuid : m.values()) {
        if (!objects.get(Kind.MANIFEST).containsKey(String.valueOf(uuid))) {
          throw RestError.internalError("no such manifest: " + uuid);
        }
      }
    }
  }

  private Map<String, Object> require(Kind kind, String uuid) {
    Map<String, Object> o = objects.get(kind).get(uuid);
    if (o == null) {
      throw RestError.resourceNotFound("no such " + kind.word + ": " + uuid);
    }
    return o;
  }

  private Map<String, Object> store(Kind kind, Map<String, Object> o) {
    objects.get(kind).put((String) o.get("uuid"), o);
    return Json.deepCopy(o);
  }

  /** uuid, params, metadata, manifests (maps, empty when not given), master if given. */
  private static Map<String, Object> base(Map<String, Object> p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("uuid", uuidOf(p));
    for (String field : List.of("params", "metadata", "manifests")) {
      o.put(field, p.get(field) instanceof Map<?, ?> m ? Json.deepCopy(m) : new LinkedHashMap<>());
    }
    putIfGiven(o, p, "master");
    return o;
  }

  private static String uuidOf(Map<String, Object> p) {
    Object given = p.get("uuid");
    if (given == null) {
      return UUID.randomUUID().toString();
    }
    try {
      return UUID.fromString(String.valueOf(given)).toString();
    } catch (IllegalArgumentException e) {
      throw RestError.invalidArgument("invalid uuid: " + given);
    }
  }

  private static void requireKeys(Map<String, Object> p, String... keys) {
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      if (p.get(k) == null) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      throw RestError.missingParameter("missing required keys: " + String.join(", ", missing));
    }
  }

  private static void putIfGiven(Map<String, Object> to, Map<String, Object> from, String key) {
    if (from.get(key) != null) {
      to.put(key, Json.deepCopy(from.get(key)));
    }
  }
}
