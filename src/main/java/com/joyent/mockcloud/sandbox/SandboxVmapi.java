package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.http.RestRequest;
import com.joyent.mockcloud.http.RestResponse;
import com.joyent.mockcloud.http.RestRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    r.route("HEAD", "/vms", req -> CompletableFuture.completedFuture(list(req)));
    r.put("/vms", this::putAll);
    r.route("GET", "/vms/{uuid}", this::get);
    r.route("HEAD", "/vms/{uuid}", this::get);
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

  /** ListVms (and its HEAD): every documented parameter (VmapiListQuery); the total in a header. */
  private RestResponse list(RestRequest req) {
    Map<String, String> q = req.query();
    if (q.containsKey("role_tags")) {
      return roleTags(q.get("role_tags"));
    }
    VmapiListQuery query = VmapiListQuery.parse(q);
    VmapiVms.Page found = vms.page(query.serverUuid, query.filter, query.markerFilter, query.markerUuid, query.order,
        query.offset, query.limit);
    return RestResponse.ok(VmapiListQuery.render(found.vms(), query.fields))
        .withHeader("x-joyent-resource-count", Integer.toString(found.total()));
  }

  /**
   * {@code role_tags} is looked at before anything else, as VMAPI's pre-filter does: no sandbox
   * VM carries role tags, so a valid list matches nothing.
   */
  private static RestResponse roleTags(String raw) {
    for (String tag : raw.split(",", -1)) {
      if (!VmapiListQuery.isUuid(tag)) {
        throw new RestError(409, "ValidationFailed", "Invalid Role Tags", Map.of("errors",
            List.of(RestError.fieldError("role_tags", "Invalid", tag + " is not a UUID"))));
      }
    }
    return RestResponse.ok(List.of()).withHeader("x-joyent-resource-count", "0");
  }

  /**
   * GetVm (and its HEAD): {@code owner_uuid} must own the VM (else 404, as VMAPI's lookup by both);
   * {@code fields} is not checked here, unknown names are left out; {@code sync=true} asks the CN.
   */
  private CompletionStage<RestResponse> get(RestRequest req) {
    String uuid = checkUuid(req.pathParam("uuid"));
    String owner = req.query().get("owner_uuid");
    if (owner != null && !VmapiListQuery.isUuid(owner)) {
      throw validationFailed(List.of(RestError.fieldError("owner_uuid", "Invalid", "Invalid UUID")));
    }
    Map<String, Object> vm = vms.get(uuid);
    if (vm == null || owner != null && !owner.equals(vm.get("owner_uuid"))) {
      throw RestError.resourceNotFound("VM not found");
    }
    String fields = req.query().get("fields");
    if (!"true".equals(req.query().get("sync")) || !(vm.get("server_uuid") instanceof String server)) {
      return CompletableFuture.completedFuture(RestResponse.ok(withFields(vm, fields)));
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
        return RestResponse.ok(withFields(VmapiVms.render(vms.put(uuid, loaded)), fields));
      }
      Throwable t = failure.getCause() != null && !(failure instanceof RestError) ? failure.getCause() : failure;
      if (t instanceof RestError re && (re.status() == 404 || String.valueOf(re.getMessage()).contains("load error"))) {
        return RestResponse.ok(withFields(vms.markDestroyed(uuid), fields));
      }
      LOG.warn("sync of VM {} failed, answering the stored record: {}", uuid, t.getMessage());
      return RestResponse.ok(withFields(vm, fields));
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

  /** GetVm's {@code fields}: absent or empty, the whole VM; {@code *} its keys and role_tags. */
  private static Map<String, Object> withFields(Map<String, Object> vm, String fields) {
    if (fields == null || fields.isEmpty()) {
      return vm;
    }
    List<String> names = new ArrayList<>();
    for (String f : fields.split(",")) {
      if (f.equals("*")) {
        names.addAll(vm.keySet());
        names.add("role_tags");
      } else if (!names.contains(f)) {
        names.add(f);
      }
    }
    return VmapiListQuery.project(vm, names);
  }

  /** VMAPI's uuid pattern is lower case only. */
  private static String checkUuid(String uuid) {
    if (!VmapiListQuery.isUuid(uuid)) {
      throw validationFailed(List.of(RestError.fieldError("uuid", "Invalid", "Invalid UUID")));
    }
    return uuid;
  }
}
