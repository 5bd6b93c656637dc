package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VMAPI's actions that change a VM on its CN with one cn-agent task: {@code update} (the
 * update workflow, with VMAPI's checks in {@link VmapiUpdateParams} and its capacity check for
 * a resize), {@code reprovision}, and the three snapshot actions (snapshot, rollback and
 * delete-snapshot workflows). Each answers a job whose chain names the real workflow's tasks
 * that the sandbox does; tickets and FWAPI are left out, as for the other jobs.
 */
final class VmapiVmUpdates {
  private static final List<String> SNAPSHOT_BRANDS = List.of("joyent", "joyent-minimal", "lx", "bhyve");
  private static final DateTimeFormatter SNAPSHOT_NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Clock clock;
  private final WorkflowJobs jobs;
  private final SandboxCnapi cnapi;
  private final VmapiJobSteps steps;

  VmapiVmUpdates(Clock clock, WorkflowJobs jobs, SandboxCnapi cnapi, VmapiJobSteps steps) {
    this.clock = clock;
    this.jobs = jobs;
    this.cnapi = cnapi;
    this.steps = steps;
  }

  /** {@code action=update}: VMAPI's checks, a resize's capacity check, then update-7.1.10. */
  WorkflowJobs.Job update(Map<String, Object> vm, Map<String, Object> request, String reqId, List<Map<String, Object>>
      sameAlias) {
    VmapiUpdateParams.Checked checked = VmapiUpdateParams.check(vm, request);
    Map<String, Object> payload = new LinkedHashMap<>(checked.payload());
    List<Map<String, Object>> errors = new java.util.ArrayList<>(checked.errors());
    if (payload.get("alias") != null && !sameAlias.isEmpty()) {
      errors.add(RestError.fieldError("alias", "Duplicate", "Already exists for this owner_uuid"));
    }
    if ("resize".equals(checked.subtask()) && !"kvm".equals(vm.get("brand"))
        && !Boolean.TRUE.equals(request.get("force")) && !"true".equals(request.get("force"))) {
      errors.addAll(capacityErrors(vm, payload));
    }
    if (!errors.isEmpty()) {
      throw VmapiUpdateParams.failed("Invalid VM update parameters", errors);
    }
    if (payload.get("tmpfs") == null && vm.get("tmpfs") instanceof Number t && t.doubleValue() == 0) {
      payload.put("tmpfs", 0); // as VMAPI works around a platform resize bug
    }
    String uuid = (String) vm.get("uuid");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("payload", payload);
    params.put("subtask", checked.subtask());
    params.putAll(VmapiJobSteps.jobParams("update", vm, reqId));
    params.put("image_uuid", vm.get("image_uuid"));
    params.put("vm_brand", vm.get("brand"));
    params.put("last_modified", vm.get("last_modified"));
    if ("resize".equals(checked.subtask())) {
      params.put("current_ram", vm.get("ram") != null ? vm.get("ram") : vm.get("max_physical_memory"));
      params.put("current_quota", vm.get("quota"));
    }
    WorkflowJobs.Job job = jobs.create("update-7.1.10", uuid, params, 300);
    Map<String, Object> taskParams = new LinkedHashMap<>(payload);
    if (payload.get("new_owner_uuid") != null) {
      taskParams.put("owner_uuid", payload.get("new_owner_uuid"));
    }
    taskParams.put("uuid", uuid);
    taskParams.put("jobid", job.uuid);
    WorkflowChain wf = oneTaskChain(vm, "cnapi.update_vm", "machine_update", taskParams, 300, reqId, null);
    wf.now("fwapi.update", () -> steps.fwapiUpdate("update", params, payload)).run(job);
    return job;
  }

  /** validateCapacity: more RAM or quota than the VM has must fit in its server's unreserved share. */
  private List<Map<String, Object>> capacityErrors(Map<String, Object> vm, Map<String, Object> payload) {
    Map<String, Object> server = cnapi.renderedServer(String.valueOf(vm.get("server_uuid")));
    if (server == null || !(server.get("unreserved_ram") instanceof Number sram)
        || !(server.get("unreserved_disk") instanceof Number disk)) {
      return List.of(RestError.fieldError("server", "InsufficientCapacity", "Unable to determine server capacity"));
    }
    long currentRam = number(vm.get("ram") != null ? vm.get("ram") : vm.get("max_physical_memory"));
    Object wanted = payload.get("ram") != null ? payload.get("ram") : payload.get("max_physical_memory");
    long requiredRam = wanted == null ? currentRam : number(wanted);
    long neededRam = requiredRam - currentRam;
    long sdisk = (long) Math.floor(disk.doubleValue() / 1024);
    List<Map<String, Object>> errors = new java.util.ArrayList<>();
    if (currentRam < requiredRam && sram.doubleValue() < neededRam) {
      errors.add(RestError.fieldError("ram", "InsufficientCapacity", "Required additional RAM (" + neededRam
          + ") exceeds the server's available RAM (" + fmt(sram) + ")"));
    }
    if (payload.get("quota") != null) {
      long requiredDisk = number(payload.get("quota"));
      long currentDisk = number(vm.get("quota"));
      if (currentDisk > 0 && currentDisk < requiredDisk && sdisk < requiredDisk - currentDisk) {
        errors.add(RestError.fieldError("quota", "InsufficientCapacity", "Required additional disk ("
            + (requiredDisk - currentDisk) + ") exceeds the server's available disk (" + sdisk + ")"));
      } else if (currentDisk == 0 && sdisk < requiredDisk) {
        errors.add(RestError.fieldError("quota", "InsufficientCapacity", "Required disk (" + requiredDisk
            + ") exceeds the server's available disk (" + sdisk + ")"));
      }
    }
    return errors;
  }

  private static String fmt(Number n) {
    double d = n.doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static long number(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return v == null ? 0 : Long.parseLong(String.valueOf(v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** {@code action=reprovision}: zone brands only, an image_uuid; reprovision-7.0.4. */
  WorkflowJobs.Job reprovision(Map<String, Object> vm, Map<String, Object> request, String reqId) {
    if (!List.of("joyent", "joyent-minimal", "lx").contains(vm.get("brand"))) {
      throw new RestError(409, "BrandNotSupported", "VM 'brand' does not support reprovision");
    }
    Object image = request.get("image_uuid");
    if (image == null || "".equals(image)) {
      throw SandboxVmapi.validationFailed(List.of(VmapiVmJobs.missing("image_uuid")));
    }
    if (!VmapiListQuery.isUuid(String.valueOf(image))) {
      throw SandboxVmapi.validationFailed(List.of(VmapiListQuery.invalid("image_uuid", "Invalid UUID")));
    }
    Map<String, Object> params = VmapiJobSteps.jobParams("reprovision", vm, reqId);
    params.put("image_uuid", image);
    WorkflowJobs.Job job = jobs.create("reprovision-7.0.4", (String) vm.get("uuid"), params, 210);
    Map<String, Object> taskParams = new LinkedHashMap<>();
    taskParams.put("uuid", vm.get("uuid"));
    taskParams.put("image_uuid", image);
    taskParams.put("jobid", job.uuid);
    oneTask(job, vm, "cnapi.reprovision_vm", "machine_reprovision", taskParams, 210, reqId);
    return job;
  }

  /** create_snapshot, rollback_snapshot, delete_snapshot: canSnapshot, a name, then the job. */
  WorkflowJobs.Job snapshot(Map<String, Object> vm, String action, Map<String, Object> request, String reqId) {
    if (!SNAPSHOT_BRANDS.contains(vm.get("brand"))) {
      throw new RestError(409, "BrandNotSupported",
          "snapshots are not supported for VMs of brand \"" + vm.get("brand") + "\"");
    }
    if (vm.get("datasets") instanceof List<?> ds && !ds.isEmpty()) {
      throw new RestError(409, "BrandNotSupported", "snapshots are not supported for VMs with delegated datasets");
    }
    Object name = request.get("snapshot_name");
    boolean named = name != null && !"".equals(name) && !Boolean.FALSE.equals(name);
    if (!named && !"create_snapshot".equals(action)) {
      throw SandboxVmapi.validationFailed(List.of(VmapiVmJobs.missing("snapshot_name")));
    }
    String snapshot = named ? String.valueOf(name)
        : LocalDateTime.ofInstant(clock.instant(), ZoneId.systemDefault()).format(SNAPSHOT_NAME);
    String uuid = (String) vm.get("uuid");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("snapshot_name", snapshot);
    params.putAll(VmapiJobSteps.jobParams("snapshot", vm, reqId));
    if (!"create_snapshot".equals(action)) {
      params.put("vm_state", vm.get("state"));
    }
    Map<String, Object> taskParams = new LinkedHashMap<>();
    taskParams.put("uuid", uuid);
    taskParams.put("snapshot_name", snapshot);
    switch (action) {
      case "create_snapshot" -> {
        WorkflowJobs.Job job = jobs.create("snapshot-7.0.4", uuid, params, 180);
        taskParams.put("jobid", job.uuid);
        oneTask(job, vm, "cnapi.snapshot_vm", "machine_create_snapshot", taskParams, 180, reqId, snapshot);
        return job;
      }
      case "delete_snapshot" -> {
        WorkflowJobs.Job job = jobs.create("delete-snapshot-7.0.4", uuid, params, 180);
        taskParams.put("jobid", job.uuid);
        oneTask(job, vm, "cnapi.delete_snapshot", "machine_delete_snapshot", taskParams, 180, reqId, snapshot);
        return job;
      }
      default -> {
        WorkflowJobs.Job job = jobs.create("rollback-7.0.5", uuid, params, 300);
        taskParams.put("jobid", job.uuid);
        rollback(job, vm, snapshot, taskParams, reqId);
        return job;
      }
    }
  }

  /** The rollback workflow: stop the VM if it runs, then roll back, then write the VM back. */
  private void rollback(WorkflowJobs.Job job, Map<String, Object> vm, String snapshot, Map<String, Object> taskParams,
      String reqId) {
    String server = (String) vm.get("server_uuid");
    String uuid = (String) vm.get("uuid");
    boolean running = "running".equals(vm.get("state"));
    String[] stopTask = new String[1];
    String[] rollbackTask = new String[1];
    new WorkflowChain()
        .now("common.validate_params", () -> "All parameters OK!")
        .now("common.validate_snapshot_name", () -> "Snapshot name " + snapshot + " is valid")
        .now("common.setup_stop_request", () -> running ? "Stop request has been setup" : "No need to stop VM")
        .now("cnapi.stop_vm", () -> {
          if (!running) {
            return "Skipping zoneAction";
          }
          stopTask[0] = cnapi.dispatchTask(server, "machine_shutdown", Map.of("uuid", uuid, "jobid", job.uuid), reqId);
          return "Task id: " + stopTask[0] + " queued to CNAPI!";
        })
        .task("cnapi.poll_stop_task", () -> running ? steps.waitTask(stopTask[0], 300)
            : java.util.concurrent.CompletableFuture.completedFuture("Skipping waitTask"))
        .now("common.setup_rollback_request", () -> "Rollback request has been setup")
        .now("cnapi.rollback_vm", () -> {
          rollbackTask[0] = cnapi.dispatchTask(server, "machine_rollback_snapshot", taskParams, reqId);
          return "Task id: " + rollbackTask[0] + " queued to CNAPI!";
        })
        .task("cnapi.poll_rollback_task", () -> steps.waitTask(rollbackTask[0], 300))
        .task("vmapi.put_vm", () -> steps.putVm(uuid, rollbackTask[0], "stopped", "running"))
        .run(job);
  }

  private void oneTask(WorkflowJobs.Job job, Map<String, Object> vm, String step, String task,
      Map<String, Object> taskParams, int timeout, String reqId) {
    oneTask(job, vm, step, task, taskParams, timeout, reqId, null);
  }

  /** vp, [validate_snapshot_name], setup_request, the task, wait_task, put_vm: most VM workflows. */
  private void oneTask(WorkflowJobs.Job job, Map<String, Object> vm, String step, String task,
      Map<String, Object> taskParams, int timeout, String reqId, String snapshot) {
    oneTaskChain(vm, step, task, taskParams, timeout, reqId, snapshot).run(job);
  }

  private WorkflowChain oneTaskChain(Map<String, Object> vm, String step, String task,
      Map<String, Object> taskParams, int timeout, String reqId, String snapshot) {
    String server = (String) vm.get("server_uuid");
    String uuid = (String) vm.get("uuid");
    String state = String.valueOf(vm.get("state"));
    String[] id = new String[1];
    WorkflowChain wf = new WorkflowChain().now("common.validate_params", () -> "All parameters OK!");
    if (snapshot != null) {
      wf.now("common.validate_snapshot_name", () -> "Snapshot name " + snapshot + " is valid");
    }
    wf.now("common.setup_request", () -> "Request has been setup!")
        .now(step, () -> {
          id[0] = cnapi.dispatchTask(server, task, taskParams, reqId);
          return "Task id: " + id[0] + " queued to CNAPI!";
        })
        .task("cnapi.wait_task", () -> steps.waitTask(id[0], timeout))
        .task("vmapi.put_vm", () -> steps.putVm(uuid, id[0], state, state));
    return wf;
  }
}
