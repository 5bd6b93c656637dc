package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import com.joyent.mockcloud.server.StandardAgents;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The sandbox's SAPI (sdc-sapi 2.1): applications, services, instances and manifests in
 * memory, and GetConfig with its Etag and 304, which is what config-agent polls and what
 * agent installs adopt instances into. It starts with the {@code sdc} application and an agent
 * service for each agent a mock CN has, as a datacenter's SAPI does. See docs/sandbox.md.
 *
 * <p>As SAPI, a request without {@code Accept-Version} is version 1: its lists hold only
 * {@code type: vm} objects unless a filter says otherwise, and objects leave out {@code type}.
 */
public final class SandboxSapi {
  static final String SERVER_HEADER = "sapi/2.1.2";

  private final SapiStore store;
  private final String sdcUuid;

  SandboxSapi(SandboxOptions options) {
    this.store = new SapiStore(UUID.randomUUID().toString());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("datacenter_name", options.datacenter());
    metadata.put("ufds_admin_uuid", options.adminUuid());
    Map<String, Object> sdc = new LinkedHashMap<>();
    sdc.put("name", "sdc");
    sdc.put("owner_uuid", options.adminUuid());
    sdc.put("metadata", metadata);
    this.sdcUuid = (String) store.createApplication(sdc).get("uuid");
    for (String agent : agentNames()) {
      Map<String, Object> svc = new LinkedHashMap<>();
      svc.put("name", agent);
      svc.put("application_uuid", sdcUuid);
      svc.put("type", "agent");
      svc.put("metadata", Map.of("SERVICE_NAME", agent));
      store.createService(svc);
    }
  }

  private static List<String> agentNames() {
    return StandardAgents.AGENTS.stream().map(StandardAgents.Agent::name).toList();
  }

  /** The {@code sdc} application's uuid. */
  public String sdcApplicationUuid() {
    return sdcUuid;
  }

  /** The agent service named {@code name}, or null. */
  public Map<String, Object> agentService(String name) {
    List<Map<String, Object>> found = store.list(SapiStore.Kind.SERVICE, Map.of("name", name, "type", "agent"));
    return found.isEmpty() ? null : found.get(0);
  }

  /** The instances of {@code kind}: for tests and the CLI, as SAPI would list them at version 2. */
  public List<Map<String, Object>> instances() {
    return store.list(SapiStore.Kind.INSTANCE, Map.of());
  }

  /** UpdateApplication/Service/Instance in-process, as a PUT of {@code body} would. */
  public Map<String, Object> update(String kind, String uuid, Map<String, Object> body) {
    return store.update(SapiStore.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), uuid, body);
  }

  RestRouter router() {
    RestRouter r = new RestRouter(SERVER_HEADER);
    r.get("/ping", req -> RestResponse.ok(Map.of("mode", "full", "storType", "MemoryStore", "storAvailable", true)));
    r.get("/mode", req -> RestResponse.ok("full"));
    crud(r, "/applications", SapiStore.Kind.APPLICATION, store::createApplication, List.of("name", "owner_uuid"));
    crud(r, "/services", SapiStore.Kind.SERVICE, store::createService, List.of("name", "application_uuid", "type"));
    crud(r, "/instances", SapiStore.Kind.INSTANCE, store::createInstance, List.of("service_uuid", "type"));
    r.get("/manifests", req -> RestResponse.ok(store.list(SapiStore.Kind.MANIFEST, Map.of())));
    r.post("/manifests", req -> RestResponse.ok(store.createManifest(req.params())));
    r.get("/manifests/{uuid}", req -> RestResponse.ok(store.get(SapiStore.Kind.MANIFEST, req.pathParam("uuid"))));
    r.delete("/manifests/{uuid}", req -> {
      store.delete(SapiStore.Kind.MANIFEST, req.pathParam("uuid"));
      return RestResponse.noContent();
    });
    r.get("/configs/{uuid}", this::getConfig);
    return r;
  }

  private interface Create {
    Map<String, Object> create(Map<String, Object> params);
  }

  private void crud(RestRouter r, String path, SapiStore.Kind kind, Create create, List<String> filters) {
    r.get(path, req -> RestResponse.ok(list(req, kind, filters)));
    r.post(path, req -> RestResponse.ok(shown(req, kind, create.create(req.params()))));
    r.get(path + "/{uuid}", req -> RestResponse.ok(shown(req, kind, store.get(kind, req.pathParam("uuid")))));
    r.put(path + "/{uuid}", req -> RestResponse.ok(shown(req, kind, store.update(kind, req.pathParam("uuid"),
        req.params()))));
    r.delete(path + "/{uuid}", req -> {
      store.delete(kind, req.pathParam("uuid"));
      return RestResponse.noContent();
    });
  }

  /** ListServices/ListInstances: exact-match filters; version 1 lists only {@code vm} ones unless filtered. */
  private List<Map<String, Object>> list(RestRequest req, SapiStore.Kind kind, List<String> filters) {
    Map<String, Object> f = new LinkedHashMap<>();
    for (String name : filters) {
      f.put(name, req.query().get(name));
    }
    boolean typed = kind == SapiStore.Kind.SERVICE || kind == SapiStore.Kind.INSTANCE;
    if (typed && kind == SapiStore.Kind.INSTANCE && f.get("service_uuid") != null) {
      f.put("type", null); // SAPI drops the type filter when a service is named
    } else if (typed && f.get("type") == null && !isVersion2(req)) {
      f.put("type", "vm");
    }
    return store.list(kind, f).stream().map(o -> shown(req, kind, o)).toList();
  }

  /** Services and instances leave out {@code type} below version 2, as SAPI serializes them. */
  private static Map<String, Object> shown(RestRequest req, SapiStore.Kind kind, Map<String, Object> o) {
    if ((kind == SapiStore.Kind.SERVICE || kind == SapiStore.Kind.INSTANCE) && !isVersion2(req)) {
      o.remove("type");
    }
    return o;
  }

  /** GetConfig with restify's conditional request: an If-None-Match equal to the Etag (or *) is a 304. */
  private RestResponse getConfig(RestRequest req) {
    Map<String, Object> config = store.config(req.pathParam("uuid"));
    String etag = SapiStore.etag(config);
    String ifNoneMatch = req.header("If-None-Match");
    if (ifNoneMatch != null) {
      for (String tag : ifNoneMatch.split(",")) {
        String t = tag.trim().replaceFirst("^W/", "").replace("\"", "");
        if (t.equals(etag) || t.equals("*")) {
          return RestResponse.of(304, null).withHeader("Etag", etag);
        }
      }
    }
    return RestResponse.ok(config).withHeader("Etag", etag);
  }

  /** Accept-Version 2 or later ({@code ~2}, {@code 2.0.0}, {@code *}); none is version 1, as SAPI takes it. */
  static boolean isVersion2(RestRequest req) {
    String v = req.header("Accept-Version");
    if (v == null || v.isBlank()) {
      return false;
    }
    v = v.trim();
    if (v.equals("*")) {
      return true;
    }
    String digits = v.replaceFirst("^[~^=v>]*", "");
    int end = 0;
    while (end < digits.length() && Character.isDigit(digits.charAt(end))) {
      end++;
    }
    return end > 0 && Integer.parseInt(digits.substring(0, end)) >= 2;
  }
}
