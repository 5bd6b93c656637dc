package com.joyent.mockcloud.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The tasks VMAPI's workflows share (job-common.js): the job's params, waiting for a CNAPI task,
 * and writing the VM the task left back to VMAPI. Nothing here blocks a thread.
 */
final class VmapiJobSteps {
  private static final long POLL_MS = 200;

  /** What {@code fwapi.update} copies from a job's params (job-common.js updateFwapi). */
  private static final List<String> FWAPI_PROPS = List.of("add_nics", "firewall_enabled", "nics", "remove_ips",
      "remove_nics", "remove_tags", "set_tags", "tags");

  private final VmapiVms vms;
  private final SandboxCnapi cnapi;
  private volatile SandboxFwapi fwapi;

  VmapiJobSteps(VmapiVms vms, SandboxCnapi cnapi) {
    this.vms = vms;
    this.cnapi = cnapi;
  }

  void fwapi(SandboxFwapi f) {
    this.fwapi = f;
  }

  /**
   * fwapi.update: tells FWAPI (and through it every firewaller) of the VM's firewall-relevant
   * properties — vm.add for a provision, vm.delete for a destroy, vm.update otherwise — from the
   * job's payload, or its params. Nothing to tell is no update, except for a destroy. As VMAPI, a
   * failure to reach FWAPI does not fail the job.
   */
  String fwapiUpdate(String task, Map<String, Object> jobParams, Map<String, Object> payload) {
    Map<String, Object> from = payload != null ? payload : jobParams;
    Map<String, Object> update = new LinkedHashMap<>();
    for (String prop : FWAPI_PROPS) {
      if (from.containsKey(prop)) {
        update.put(prop, from.get(prop));
      }
    }
    if (update.isEmpty() && !"destroy".equals(task)) {
      return "No properties affecting FWAPI found: not updating";
    }
    update.put("owner_uuid", from.get("owner_uuid") != null ? from.get("owner_uuid") : jobParams.get("owner_uuid"));
    update.put("server_uuid", from.get("server_uuid") != null ? from.get("server_uuid") : jobParams.get("server_uuid"));
    update.put("type", "provision".equals(task) ? "vm.add" : "destroy".equals(task) ? "vm.delete" : "vm.update");
    Object uuid = from.get("uuid") != null ? from.get("uuid") : from.get("vm_uuid") != null ? from.get("vm_uuid")
        : jobParams.get("vm_uuid");
    update.put("uuid", uuid);
    SandboxFwapi f = fwapi;
    if (f == null) {
      return "Error updating FWAPI";
    }
    return "Updated FWAPI with update UUID: " + f.createUpdate(update);
  }

  /** The params every VM job carries (wfapi.js): task, vm, owner, server, request id. */
  static Map<String, Object> jobParams(String task, Map<String, Object> vm, String reqId) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("task", task);
    p.put("vm_uuid", vm.get("uuid"));
    p.put("owner_uuid", vm.get("owner_uuid"));
    p.put("server_uuid", vm.get("server_uuid"));
    p.put("x-request-id", reqId);
    return p;
  }

  /** cnapi.wait_task: the CNAPI task's end; its error message fails the job, as a string. */
  CompletionStage<String> waitTask(String id, long timeoutSeconds) {
    return cnapi.tasks().await(id, timeoutSeconds).thenApply(task -> {
      if ("complete".equals(task.get("status"))) {
        return "Job succeeded!";
      }
      if ("active".equals(task.get("status"))) {
        throw new WorkflowChain.TaskError("workflow timeout");
      }
      throw new WorkflowChain.TaskError(taskError(task));
    });
  }

  static String taskError(Map<String, Object> task) {
    if (task.get("history") instanceof List<?> history) {
      for (Object h : history) {
        if (h instanceof Map<?, ?> e && "error".equals(e.get("name")) && e.get("event") instanceof Map<?, ?> ev
            && ev.get("error") instanceof Map<?, ?> err && err.get("message") != null) {
          return String.valueOf(err.get("message"));
        }
      }
    }
    return "Unexpected error occured";
  }

  /**
   * vmapi.put_vm: the VM the task finished with, else (vm-agent writes VMAPI itself) the wait
   * until VMAPI shows one of the states the action ends in.
   */
  CompletionStage<String> putVm(String uuid, String taskId, String expected, String orElse) {
    Map<String, Object> finished = finishedVm(taskId);
    if (finished != null) {
      vms.put(uuid, finished);
      return CompletableFuture.completedFuture("put VM " + uuid + " to VMAPI");
    }
    CompletableFuture<String> done = new CompletableFuture<>();
    pollState(uuid, expected, orElse, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), done);
    return done;
  }

  /** The VM a cn-agent task finished with ({@code finish} event's {@code vm}), or null. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> finishedVm(String taskId) {
    Map<String, Object> task = cnapi.tasks().find(taskId);
    if (task != null && task.get("history") instanceof List<?> history) {
      for (Object h : history) {
        if (h instanceof Map<?, ?> e && "finish".equals(e.get("name")) && e.get("event") instanceof Map<?, ?> ev
            && ev.get("vm") instanceof Map<?, ?> vm) {
          return (Map<String, Object>) vm;
        }
      }
    }
    return null;
  }

  private void pollState(String uuid, String expected, String orElse, long deadline, CompletableFuture<String> done) {
    Map<String, Object> vm = vms.get(uuid);
    Object state = vm == null ? null : vm.get("state");
    if (expected.equals(state) || orElse.equals(state)) {
      done.complete("VM is now " + state);
    } else if (System.nanoTime() - deadline > 0) {
      done.completeExceptionally(new WorkflowChain.TaskError("VM " + uuid + " did not reach state " + expected));
    } else {
      CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS)
          .execute(() -> pollState(uuid, expected, orElse, deadline, done));
    }
  }

  /**
   * vmapi.check_updated: waits until VMAPI holds the VM with a {@code last_modified} later than
   * the one the job began with (the task's VM, or vm-agent's write once the CN has changed it).
   */
  CompletionStage<String> checkUpdated(String uuid, String taskId, Object lastModified) {
    CompletableFuture<String> done = new CompletableFuture<>();
    long before = millis(lastModified);
    Map<String, Object> finished = finishedVm(taskId);
    if (finished != null && millis(finished.get("last_modified")) > before) {
      done.complete("VM data has been updated");
      return done;
    }
    pollUpdated(uuid, before, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), done);
    return done;
  }

  private void pollUpdated(String uuid, long before, long deadline, CompletableFuture<String> done) {
    Map<String, Object> vm = vms.get(uuid);
    if (vm != null && millis(vm.get("last_modified")) > before) {
      done.complete("VM data has been updated");
    } else if (System.nanoTime() - deadline > 0) {
      done.completeExceptionally(new WorkflowChain.TaskError("VM " + uuid + " was not updated in VMAPI"));
    } else {
      CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS)
          .execute(() -> pollUpdated(uuid, before, deadline, done));
    }
  }

  private static long millis(Object timestamp) {
    if (timestamp instanceof Number n) {
      return n.longValue();
    }
    if (timestamp instanceof String s) {
      try {
        return java.time.Instant.parse(s).toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        return 0;
      }
    }
    return 0;
  }
}
