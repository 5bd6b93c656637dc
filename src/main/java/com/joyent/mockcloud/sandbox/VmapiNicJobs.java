package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * VMAPI's NIC actions as jobs: {@code add_nics} (new NICs on networks or pools, provisioned in
 * the sandbox NAPI before the job as VMAPI does, or existing NICs named by MAC),
 * {@code update_nics} (NAPI first, so net-agent does not revert the CN) and {@code remove_nics}
 * (the CN first, then NAPI). The CN's change goes through cn-agent's machine_update with
 * {@code add_nics}, {@code update_nics} or {@code remove_nics}, as the real workflows send it.
 */
final class VmapiNicJobs {
  private static final List<String> UPDATABLE = List.of("allow_dhcp_spoofing", "allow_ip_spoofing",
      "allow_mac_spoofing", "allow_restricted_traffic");

  private final WorkflowJobs jobs;
  private final SandboxCnapi cnapi;
  private final SandboxNapi napi;
  private final VmapiJobSteps steps;
  private final VmapiVmJobs vmJobs;

  VmapiNicJobs(WorkflowJobs jobs, SandboxCnapi cnapi, SandboxNapi napi, VmapiJobSteps steps, VmapiVmJobs vmJobs) {
    this.jobs = jobs;
    this.cnapi = cnapi;
    this.napi = napi;
    this.steps = steps;
    this.vmJobs = vmJobs;
  }

  /** add_nics: the networks' NIC tags on the VM's server, the NICs in NAPI, then add-nics-7.3.1. */
  WorkflowJobs.Job addNics(Map<String, Object> vm, Map<String, Object> request, String reqId) {
    String uuid = (String) vm.get("uuid");
    String server = (String) vm.get("server_uuid");
    boolean hasNetworks = request.get("networks") != null && !"".equals(request.get("networks"));
    List<Map<String, Object>> added = new ArrayList<>();
    List<Map<String, Object>> provisioned = new ArrayList<>();
    if (hasNetworks) {
      Map<String, Object> asked = new LinkedHashMap<>(request);
      asked.put("owner_uuid", vm.get("owner_uuid"));
      List<VmapiVmJobs.WantedNic> networks = vmJobs.networks(asked);
      checkNicTags(server, networks);
      try {
        for (VmapiVmJobs.WantedNic w : networks) {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("owner_uuid", vm.get("owner_uuid"));
          p.put("belongs_to_uuid", uuid);
          p.put("belongs_to_type", "zone");
          p.put("state", "provisioning");
          p.put("cn_uuid", server);
          p.put("primary", w.primary() && explicitPrimary(request));
          if (w.ip() != null) {
            p.put("ip", w.ip());
          }
          Map<String, Object> nic = napi.provisionNic((String) w.network().get("uuid"), p);
          provisioned.add(nic);
          added.add(nic);
        }
      } catch (RuntimeException e) {
        provisioned.forEach(n -> napi.deleteNic((String) n.get("mac")));
        throw e;
      }
    } else if (request.get("macs") != null && !"".equals(request.get("macs"))) {
      for (String mac : macs(request.get("macs"), "macs")) {
        added.add(napi.nics().get(mac));
      }
    } else {
      throw SandboxVmapi.validationFailed(List.of(VmapiVmJobs.missing("missing networks or macs")));
    }

    Map<String, Object> params = VmapiJobSteps.jobParams("add_nics", vm, reqId);
    params.put("last_modified", vm.get("last_modified"));
    params.put("oldResolvers", vm.get("resolvers"));
    boolean wantResolvers = wantResolvers(vm, true);
    params.put("wantResolvers", wantResolvers);
    params.put("add_nics", added);
    WorkflowJobs.Job job = jobs.create("add-nics-7.3.1", uuid, params, 300);
    Map<String, Object> taskParams = taskParams(uuid, job, "add_nics", added);
    String[] task = new String[1];
    WorkflowChain wf = setUp()
        .now("common.update_network_params", () -> {
          List<Object> resolvers = new ArrayList<>(vm.get("resolvers") instanceof List<?> l ? l : List.of());
          Map<String, Object> routes = new LinkedHashMap<>();
          for (Map<String, Object> nic : added) {
            if (nic.get("resolvers") instanceof List<?> r) {
              r.stream().filter(x -> !resolvers.contains(x)).forEach(resolvers::add);
            }
          }
          List<Map<String, Object>> all = new ArrayList<>(napi.nics().list(Set.of(uuid), n -> true));
          all.addAll(added);
          for (Map<String, Object> nic : all) {
            if (nic.get("routes") instanceof Map<?, ?> r) {
              r.forEach((k, v) -> routes.putIfAbsent(String.valueOf(k), v));
            }
          }
          if (wantResolvers && !resolvers.isEmpty()) {
            taskParams.put("resolvers", resolvers);
          }
          if (!routes.isEmpty()) {
            taskParams.put("set_routes", routes);
          }
          return "Added network parameters to payload";
        });
    updateVm(wf, vm, taskParams, task, reqId, null, null)
        .now("fwapi.update", () -> steps.fwapiUpdate("add_nics", params, null))
        .onError(() -> added.forEach(n -> napi.deleteNic((String) n.get("mac")))) // napi.cleanup_nics: all add_nics
        .run(job);
    return job;
  }

  /** What cnapi.update_vm sends for a NIC job: the VM, the job, and the one NIC change. */
  private static Map<String, Object> taskParams(String uuid, WorkflowJobs.Job job, String key, Object value) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("uuid", uuid);
    p.put("jobid", job.uuid);
    p.put(key, value);
    return p;
  }

  /**
   * The NIC workflows' ends: cnapi.update_vm (then {@code afterDispatch}, if any: remove-nics
   * drops the NAPI NICs there), cnapi.wait_task, vmapi.check_updated, vmapi.put_vm.
   */
  private WorkflowChain updateVm(WorkflowChain wf, Map<String, Object> vm, Map<String, Object> taskParams,
      String[] task, String reqId, String afterName, java.util.function.Supplier<String> afterDispatch) {
    String uuid = (String) vm.get("uuid");
    wf.now("cnapi.update_vm", () -> {
      task[0] = cnapi.dispatchTask((String) vm.get("server_uuid"), "machine_update", taskParams, reqId);
      return "Task id: " + task[0] + " queued to CNAPI!";
    });
    if (afterDispatch != null) {
      wf.now(afterName, afterDispatch);
    }
    return wf.task("cnapi.wait_task", () -> steps.waitTask(task[0], 300))
        .task("vmapi.check_updated", () -> steps.checkUpdated(uuid, task[0], vm.get("last_modified")))
        .task("vmapi.put_vm", () -> steps.putVm(uuid, task[0], String.valueOf(vm.get("state")), "running"));
  }

  private static WorkflowChain setUp() {
    return new WorkflowChain()
        .now("common.validate_params", () -> "All parameters OK!")
        .now("common.setup_request", () -> "Request has been setup!");
  }

  /** VMAPI marks a NIC primary on add_nics only when the request says so. */
  private static boolean explicitPrimary(Map<String, Object> request) {
    return request.get("networks") instanceof List<?> l
        && l.stream().anyMatch(n -> n instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("primary")));
  }

  private void checkNicTags(String server, List<VmapiVmJobs.WantedNic> networks) {
    Map<String, Object> rendered = cnapi.renderedServer(server);
    if (rendered == null) {
      throw RestError.resourceNotFound("Server " + server + " not found");
    }
    List<String> lacking = VmapiVmJobs.missingTags(rendered, networks);
    if (!lacking.isEmpty()) {
      throw new RestError(409, "ValidationFailed", "Server must have one of the following NIC tags: "
          + String.join(", ", lacking), Map.of("errors", List.of(VmapiListQuery.invalid("server", "Invalid parameter"))));
    }
  }

  private static boolean wantResolvers(Map<String, Object> vm, boolean customCounts) {
    if (vm.get("internal_metadata") instanceof Map<?, ?> im) {
      if (Boolean.FALSE.equals(im.get("set_resolvers"))) {
        return false;
      }
      return !(customCounts && im.get("custom_resolvers") != null && !Boolean.FALSE.equals(im.get("custom_resolvers")));
    }
    return true;
  }

  /** validStrings: a comma-separated string or an array of strings; else Invalid on {@code field}. */
  private static List<String> macs(Object raw, String field) {
    List<String> out = new ArrayList<>();
    if (raw instanceof String s) {
      for (String m : s.split(",")) {
        out.add(m);
      }
    } else if (raw instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) { // [] too, as VMAPI
      l.forEach(x -> out.add((String) x));
    } else {
      throw VmapiUpdateParams.failed("Invalid VM update parameters",
          List.of(VmapiListQuery.invalid(field, "Invalid MAC addresses object")));
    }
    return out;
  }

  /** update_nics: validNics' checks, then update-nics-7.0.5 (NAPI, then the CN). */
  WorkflowJobs.Job updateNics(Map<String, Object> vm, Map<String, Object> request, String reqId) {
    List<Map<String, Object>> nics;
    try {
      nics = validNics(vm, request.get("nics"));
    } catch (IllegalArgumentException e) {
      throw VmapiUpdateParams.failed("Invalid VM update parameters", List.of(VmapiListQuery.invalid("nics",
          e.getMessage())));
    }
    String uuid = (String) vm.get("uuid");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("update_nics", nics);
    params.putAll(VmapiJobSteps.jobParams("update_nics", vm, reqId));
    params.put("last_modified", vm.get("last_modified"));
    WorkflowJobs.Job job = jobs.create("update-nics-7.0.5", uuid, params, 300);
    String[] task = new String[1];
    WorkflowChain wf = setUp()
        .now("napi.update_nics", () -> {
          for (Map<String, Object> nic : nics) {
            Map<String, Object> change = new LinkedHashMap<>(nic);
            change.remove("mac");
            change.remove("interface"); // a NAPI NIC has no interface; the CN renames its own
            if (!change.isEmpty()) {
              napi.updateNic(String.valueOf(nic.get("mac")), change);
            }
          }
          return "Updated NAPI NICs";
        });
    updateVm(wf, vm, taskParams(uuid, job, "update_nics", nics), task, reqId, null, null).run(job);
    return job;
  }

  /** validNics: whitelisted keys, a mac each, one primary at most, every interface when reordering. */
  private static List<Map<String, Object>> validNics(Map<String, Object> vm, Object raw) {
    if (raw == null || "".equals(raw)) {
      throw VmapiUpdateParams.failed("Invalid VM update parameters", List.of(VmapiVmJobs.missing("nics")));
    }
    List<?> items;
    if (raw instanceof List<?> l) {
      items = l;
    } else if (raw instanceof String s) {
      items = List.of((Object[]) s.split(","));
    } else {
      throw new IllegalArgumentException("Malformed NICs object");
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("At least one NIC must be updated");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    int primaries = 0;
    int interfaces = 0;
    for (Object item : items) {
      Map<?, ?> obj = item instanceof Map<?, ?> m ? m : Map.of();
      for (Object key : obj.keySet()) {
        if (!UPDATABLE.contains(key) && !List.of("mac", "interface", "primary").contains(key)) {
          throw new IllegalArgumentException("'" + key + "' is not a valid property to update");
        }
      }
      if (obj.get("mac") == null) {
        throw new IllegalArgumentException("All NICs must have a `mac` attribute");
      }
      Map<String, Object> nic = new LinkedHashMap<>();
      nic.put("mac", obj.get("mac"));
      Object primary = obj.get("primary");
      if (Boolean.TRUE.equals(primary) || "true".equals(primary)) {
        nic.put("primary", primary);
        primaries++;
      }
      if (obj.containsKey("interface")) {
        nic.put("interface", obj.get("interface"));
        interfaces++;
      }
      for (String k : UPDATABLE) {
        if (obj.containsKey(k)) {
          nic.put(k, obj.get(k));
        }
      }
      out.add(nic);
    }
    int vmNics = vm.get("nics") instanceof List<?> l ? l.size() : 0;
    if (primaries > 1) {
      throw new IllegalArgumentException("Cannot specify more than one primary NIC");
    } else if (interfaces > 0 && interfaces != vmNics) {
      throw new IllegalArgumentException("If reordering, must specify a new `interface` for every NIC that the VM "
          + "currently has");
    }
    return out;
  }

  /** remove_nics: the MACs, then remove-nics-7.0.7 (the CN, then NAPI). */
  WorkflowJobs.Job removeNics(Map<String, Object> vm, Map<String, Object> request, String reqId) {
    if (request.get("macs") == null || "".equals(request.get("macs"))) {
      throw VmapiUpdateParams.failed("Invalid VM update parameters", List.of(VmapiVmJobs.missing("macs")));
    }
    List<String> macs = macs(request.get("macs"), "macs");
    String uuid = (String) vm.get("uuid");
    List<String> oldMacs = new ArrayList<>();
    if (vm.get("nics") instanceof List<?> l) {
      l.forEach(n -> oldMacs.add(n instanceof Map<?, ?> m ? String.valueOf(m.get("mac")) : null));
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("remove_nics", macs);
    params.putAll(VmapiJobSteps.jobParams("remove_nics", vm, reqId));
    params.put("last_modified", vm.get("last_modified"));
    params.put("wantResolvers", wantResolvers(vm, false));
    params.put("oldMacs", oldMacs);
    WorkflowJobs.Job job = jobs.create("remove-nics-7.0.7", uuid, params, 300);
    Map<String, Object> taskParams = taskParams(uuid, job, "remove_nics", macs);
    List<Map<String, Object>> removed = new ArrayList<>();
    String[] task = new String[1];
    WorkflowChain wf = setUp()
        .now("common.remove_network_params", () -> {
          removeNetworkParams(uuid, macs, oldMacs, wantResolvers(vm, false), taskParams, removed);
          return "Added network parameters to payload";
        });
    updateVm(wf, vm, taskParams, task, reqId, "napi.remove_nics", () -> {
      if (macs.isEmpty()) {
        throw new WorkflowChain.TaskError("No MAC addresses to remove");
      }
      macs.forEach(napi::deleteNic);
      return "NICs removed";
    }).now("fwapi.update", () -> { // common.remove_network_params left remove_ips in the job's params
      Map<String, Object> withIps = new LinkedHashMap<>(params);
      if (taskParams.containsKey("remove_ips")) {
        withIps.put("remove_ips", taskParams.get("remove_ips"));
      }
      return steps.fwapiUpdate("remove_nics", withIps, null);
    }).run(job);
    return job;
  }

  /**
   * common.remove_network_params: the routes only the removed NICs' networks brought, the
   * resolvers of the NICs that stay (in the VM's NIC order), and the removed IPs.
   */
  private void removeNetworkParams(String uuid, List<String> macs, List<String> oldMacs, boolean wantResolvers,
      Map<String, Object> taskParams, List<Map<String, Object>> removed) {
    Set<String> gone = new LinkedHashSet<>();
    macs.forEach(m -> gone.add(NicStore.normalizeMac(m)));
    List<Object> keepNetworks = new ArrayList<>();
    Map<String, List<?>> resolversByMac = new LinkedHashMap<>();
    for (Map<String, Object> nic : napi.nics().list(Set.of(uuid), n -> true)) {
      if (gone.contains(NicStore.normalizeMac(nic.get("mac")))) {
        removed.add(nic);
      } else {
        keepNetworks.add(nic.get("network_uuid"));
        if (nic.get("resolvers") instanceof List<?> r) {
          resolversByMac.put(NicStore.normalizeMac(nic.get("mac")), r);
        }
      }
    }
    List<String> routes = new ArrayList<>();
    for (Map<String, Object> nic : removed) {
      if (nic.get("routes") instanceof Map<?, ?> r && !keepNetworks.contains(nic.get("network_uuid"))) {
        r.keySet().forEach(k -> {
          if (!routes.contains(String.valueOf(k))) {
            routes.add(String.valueOf(k));
          }
        });
      }
    }
    if (!routes.isEmpty()) {
      taskParams.put("remove_routes", routes);
    }
    List<Object> resolvers = new ArrayList<>();
    for (String mac : oldMacs) {
      List<?> r = resolversByMac.get(NicStore.normalizeMac(mac));
      if (r != null) {
        r.stream().filter(x -> !resolvers.contains(x)).forEach(resolvers::add);
      }
    }
    if (wantResolvers && !resolvers.isEmpty()) {
      taskParams.put("resolvers", resolvers);
    }
    List<Object> ips = new ArrayList<>();
    removed.forEach(n -> ips.add(n.get("ip")));
    taskParams.put("remove_ips", ips);
  }
}
