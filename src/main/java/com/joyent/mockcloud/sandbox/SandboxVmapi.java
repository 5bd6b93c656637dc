package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VMAPI stand-in for what vm-agent and delete-server use (triton-apis.md §3): list, get
 * (with {@code sync=true} asking CNAPI's machine_load in-process), bulk and single PUTs.
 * Routes run on I/O threads; only {@code sync=true} waits, through a stage.
 */
public final class SandboxVmapi {
  static final String SERVER_HEADER = "vmapi/9.14.0";
  private static final Logger LOG = LoggerFactory.getLogger(SandboxVmapi.class);
  private static final Set<String> LIST_PARAMS = Set.of("server_uuid", "state", "uuid", "owner_uuid", "brand",
      "alias", "fields", "limit", "offset");
  private static final Set<String> STATES = Set.of("running", "stopped", "active", "destroyed");

  private final VmapiVms vms;
  private final SandboxCnapi cnapi;

  SandboxVmapi(SandboxOptions options, SandboxCnapi cnapi) {
    this.vms = new VmapiVms(options.clock());
    this.cnapi = cnapi;
  }

  public VmapiVms vms() {
    return vms;
  }

  RestRouter router() {
    RestRouter r = new RestRouter(SERVER_HEADER);
    r.get("/ping", req -> RestResponse.ok(Map.of("status", "OK", "healthy", true)));
    r.get("/vms", this::list);
    r.put("/vms", this::putAll);
    r.route("GET", "/vms/{uuid}", this::get);
    r.put("/vms/{uuid}", this::put);
    r.route("POST", "/vms", req -> CompletableFuture.failedFuture(
        SandboxCnapi.notImplementedError("VM provisioning through VMAPI (use CNAPI POST /servers/:uuid/vms)")));
    r.route("POST", "/vms/{uuid}", req -> CompletableFuture.failedFuture(
        SandboxCnapi.notImplementedError("VMAPI VM actions (use the CNAPI VM endpoints)")));
    r.route("DELETE", "/vms/{uuid}", req -> CompletableFuture.failedFuture(
        SandboxCnapi.notImplementedError("VMAPI VM deletion (use CNAPI DELETE /servers/:s/vms/:u)")));
    return r;
  }

  static RestError validationFailed(List<Map<String, Object>> errors) {
    return new RestError(409, "ValidationFailed", "Invalid Parameters", Map.of("errors", errors));
  }

  private RestResponse list(RestRequest req) {
    Map<String, String> q = req.query();
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String k : q.keySet()) {
      if (!LIST_PARAMS.contains(k)) {
        errors.add(RestError.fieldError(k, "Invalid", "Invalid parameter"));
      }
    }
    for (String k : List.of("server_uuid", "uuid", "owner_uuid")) {
      if (q.containsKey(k) && !Values.isUuidAnyCase(q.get(k))) {
        errors.add(RestError.fieldError(k, "Invalid", "Invalid UUID"));
      }
    }
    String state = q.get("state");
    if (state != null && !STATES.contains(state)) {
      errors.add(RestError.fieldError("state", "Invalid", "Must be one of: running, stopped, active, destroyed"));
    }
    int limit = 1000;
    int offset = 0;
    if (q.containsKey("limit")) {
      Integer l = q.get("limit").matches("\\d+") ? Values.parseInt(q.get("limit")) : null;
      if (l == null || l < 1 || l > 1000) {
        errors.add(RestError.fieldError("limit", "Invalid", "Not a valid number: number must be >= 1 and <= 1000"));
      } else {
        limit = l;
      }
    }
    if (q.containsKey("offset")) {
      Integer o = q.get("offset").matches("\\d+") ? Values.parseInt(q.get("offset")) : null;
      if (o == null) {
        errors.add(RestError.fieldError("offset", "Invalid", "Not a valid number: number must be >= 0"));
      } else {
        offset = o;
      }
    }
    if (!errors.isEmpty()) {
      throw validationFailed(errors);
    }
    Predicate<Map<String, Object>> filter = vm -> true;
    for (String k : List.of("server_uuid", "uuid", "owner_uuid", "brand", "alias")) {
      String want = q.get(k);
      if (want != null) {
        filter = filter.and(vm -> want.equalsIgnoreCase(String.valueOf(vm.get(k))));
      }
    }
    if ("active".equals(state)) {
      filter = filter.and(VmapiVms::isActive);
    } else if (state != null) {
      filter = filter.and(vm -> state.equals(vm.get("state")));
    }
    String server = q.get("server_uuid");
    VmapiVms.Page found = vms.page(server == null ? null : server.toLowerCase(Locale.ROOT), filter, offset,
        limit);
    List<String> fields = Values.list(q.get("fields"));
    List<Object> page = new ArrayList<>();
    for (Map<String, Object> vm : found.vms()) {
      if (!fields.isEmpty() && !fields.contains("*")) {
        Map<String, Object> f = new LinkedHashMap<>();
        vm.forEach((k, v) -> {
          if (fields.contains(k)) {
            f.put(k, v);
          }
        });
        vm = f;
      }
      page.add(vm);
    }
    return RestResponse.ok(page).withHeader("x-joyent-resource-count", Integer.toString(found.total()));
  }

  private CompletionStage<RestResponse> get(RestRequest req) {
    String uuid = checkUuid(req.pathParam("uuid"));
    Map<String, Object> vm = vms.get(uuid);
    if (vm == null) {
      throw RestError.resourceNotFound("VM not found");
    }
    if (!Values.isTrueParam(req.query().get("sync")) || !(vm.get("server_uuid") instanceof String server)) {
      return CompletableFuture.completedFuture(RestResponse.ok(vm));
    }
    CompletionStage<RestResponse> load;
    try {
      load = cnapi.loadVm(server, uuid, req.requestId(), Map.of("uuid", uuid));
    } catch (RestError e) {
      load = CompletableFuture.failedFuture(e);
    }
    return load.handle((resp, failure) -> {
      if (failure == null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> loaded = (Map<String, Object>) resp.body();
        return RestResponse.ok(VmapiVms.render(vms.put(uuid, loaded)));
      }
      Throwable t = failure.getCause() != null && !(failure instanceof RestError) ? failure.getCause() : failure;
      if (t instanceof RestError re && (re.status() == 404 || String.valueOf(re.getMessage()).contains("load error"))) {
        return RestResponse.ok(vms.markDestroyed(uuid));
      }
      LOG.warn("sync of VM {} failed, answering the stored record: {}", uuid, t.getMessage());
      return RestResponse.ok(vm);
    });
  }

  private RestResponse put(RestRequest req) {
    String uuid = req.pathParam("uuid");
    if (!Values.isUuid(uuid)) {
      throw validationFailed(List.of(RestError.fieldError("uuid", "Invalid", "Invalid UUID")));
    }
    return RestResponse.ok(vms.put(uuid, req.bodyObject()));
  }

  private RestResponse putAll(RestRequest req) {
    Object server = req.query().get("server_uuid");
    List<Map<String, Object>> errors = new ArrayList<>();
    if (server == null) {
      errors.add(RestError.fieldError("server_uuid", "MissingParameter", "Missing parameter"));
    } else if (!Values.isUuidAnyCase(server)) {
      errors.add(RestError.fieldError("server_uuid", "Invalid", "Invalid UUID"));
    }
    Object body = req.bodyObject().get("vms");
    if (body == null) {
      errors.add(RestError.fieldError("vms", "MissingParameter", "Missing parameter"));
    } else if (!(body instanceof Map<?, ?>)) {
      errors.add(RestError.fieldError("vms", "Invalid", "Must be an object"));
    }
    if (!errors.isEmpty()) {
      throw validationFailed(errors);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> byUuid = (Map<String, Object>) body;
    vms.putAll(byUuid);
    return RestResponse.of(200, null);
  }

  private static String checkUuid(String uuid) {
    if (!Values.isUuidAnyCase(uuid)) {
      throw validationFailed(List.of(RestError.fieldError("uuid", "Invalid", "Invalid UUID")));
    }
    return uuid.toLowerCase(Locale.ROOT);
  }
}
