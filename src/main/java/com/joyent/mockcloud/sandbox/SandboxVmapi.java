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
  private final WorkflowJobs jobs;
  private final VmapiVmJobs vmJobs;
  /** This VMAPI's own URL, for the workflow-api header (sdc-clients polls {@code <it>/jobs/:uuid}). */
  private volatile String selfUrl = "";

  SandboxVmapi(SandboxOptions options, SandboxCnapi cnapi, SandboxNapi napi, WorkflowJobs jobs) {
    this.vms = new VmapiVms(options.clock());
    this.cnapi = cnapi;
    this.jobs = jobs;
    this.vmJobs = new VmapiVmJobs(options.clock(), vms, jobs, cnapi, napi);
  }

  /** The FWAPI the workflows' fwapi.update step tells of VM changes. */
  void fwapi(SandboxFwapi f) {
    vmJobs.fwapi(f);
  }

  void selfUrl(String url) {
    this.selfUrl = url;
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
    r.route("POST", "/vms", this::createVm);
    r.route("POST", "/vms/{uuid}", this::updateVm);
    r.route("DELETE", "/vms/{uuid}", this::deleteVm);
    r.get("/jobs", req -> RestResponse.ok(listJobs(req, null)));
    r.get("/jobs/{job_uuid}", req -> RestResponse.ok(jobs.require(req.pathParam("job_uuid")).snapshot()));
    r.route("GET", "/jobs/{job_uuid}/wait", req -> {
      WorkflowJobs.Job job = jobs.require(req.pathParam("job_uuid"));
      return job.ended().thenApply(x -> {
        if (!"succeeded".equals(job.execution())) {
          throw RestError.internalError(job.failure());
        }
        return RestResponse.ok(job.snapshot());
      });
    });
    r.get("/vms/{uuid}/jobs", req -> {
      String uuid = checkUuid(req.pathParam("uuid"));
      if (vms.get(uuid) == null) {
        throw RestError.resourceNotFound("VM not found");
      }
      return RestResponse.ok(listJobs(req, uuid));
    });
    return r;
  }

  // ---- jobs ----

  /** CreateVm: 202 {vm_uuid, job_uuid}; with sync=true once the job has ended (an error if it failed). */
  private CompletionStage<RestResponse> createVm(RestRequest req) {
    Map<String, Object> params = new java.util.LinkedHashMap<>(req.params());
    Boolean sync = syncParam(params.get("sync"));
    WorkflowJobs.Job job = vmJobs.create(params, req.requestId());
    return accepted(job, sync);
  }

  /** UpdateVm ({@code ?action=}): VMAPI's checks, then the action's job. */
  private CompletionStage<RestResponse> updateVm(RestRequest req) {
    Map<String, Object> vm = ownedVm(req);
    Map<String, Object> params = new java.util.LinkedHashMap<>(req.params());
    params.remove("uuid");
    Object action = params.get("action");
    if (action == null) {
      throw validationFailed(List.of(Map.of("field", "action", "code", "MissingParameter")));
    }
    if (!VmapiVmJobs.ACTIONS.contains(String.valueOf(action))) {
      throw validationFailed(List.of(RestError.fieldError("action", "Invalid", "Invalid parameter")));
    }
    Boolean sync = syncParam(params.remove("sync"));
    if ("provisioning".equals(vm.get("state"))) {
      throw new RestError(409, "UnallocatedVM",
          "Cannot call " + action + " for a VM that has not been provisioned yet");
    }
    params.remove("owner_uuid");
    return accepted(vmJobs.action(vm, String.valueOf(action), params, req.requestId()), sync);
  }

  private CompletionStage<RestResponse> deleteVm(RestRequest req) {
    Map<String, Object> vm = ownedVm(req);
    Boolean sync = syncParam(req.params().get("sync"));
    return accepted(vmJobs.destroy(vm, req.requestId()), sync);
  }

  /** The VM of the path, owned by {@code owner_uuid} when given (404 VM not found otherwise). */
  private Map<String, Object> ownedVm(RestRequest req) {
    String uuid = checkUuid(req.pathParam("uuid"));
    Object owner = req.params().get("owner_uuid");
    if (owner != null && !VmapiListQuery.isUuid(String.valueOf(owner))) {
      throw validationFailed(List.of(RestError.fieldError("owner_uuid", "Invalid", "Invalid UUID")));
    }
    Map<String, Object> vm = vms.get(uuid);
    if (vm == null || owner != null && !owner.equals(vm.get("owner_uuid"))) {
      throw RestError.resourceNotFound("VM not found");
    }
    return vm;
  }

  private static Boolean syncParam(Object sync) {
    if (sync == null) {
      return false;
    }
    if (Boolean.TRUE.equals(sync) || "true".equals(sync)) {
      return true;
    }
    if (Boolean.FALSE.equals(sync) || "false".equals(sync)) {
      return false;
    }
    throw validationFailed(List.of(RestError.fieldError("sync", "Invalid", "Invalid parameter")));
  }

  private CompletionStage<RestResponse> accepted(WorkflowJobs.Job job, boolean sync) {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("vm_uuid", job.vmUuid);
    body.put("job_uuid", job.uuid);
    RestResponse resp = RestResponse.of(202, body).withHeader("workflow-api", selfUrl);
    if (!sync) {
      return CompletableFuture.completedFuture(resp);
    }
    return job.ended().thenApply(x -> {
      if (!"succeeded".equals(job.execution())) {
        throw RestError.internalError(job.failure());
      }
      return resp;
    });
  }

  /** ListJobs: VMAPI passes on execution, task and vm_uuid only. */
  private List<Map<String, Object>> listJobs(RestRequest req, String vmUuid) {
    Map<String, String> q = req.query();
    String execution = q.get("execution");
    if (execution != null && !WorkflowJobs.EXECUTIONS.contains(execution)) {
      throw new RestError(409, "Conflict", "Execution must be one of queued, failed, succeeded, canceled or running");
    }
    return jobs.list(vmUuid != null ? vmUuid : q.get("vm_uuid"), q.get("task"), execution);
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
