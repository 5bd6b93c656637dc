package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.json.JsValues;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * VMAPI's provisioning and VM actions as jobs, without a workflow engine (sdc-vmapi's
 * CreateVm, UpdateVm and DeleteVm, and the provision, start, stop, reboot, kill and destroy
 * workflows): the request is checked as VMAPI checks it, a server chosen as DAPI would, the
 * NICs provisioned in the sandbox NAPI, the cn-agent task dispatched through the sandbox CNAPI,
 * and each job's chain recorded. The chains hold the tasks the sandbox really does; the real
 * ones also take CNAPI tickets and update FWAPI, which the sandbox has not.
 */
final class VmapiVmJobs {
  static final List<String> ACTIONS = List.of("start", "stop", "kill", "reboot", "reprovision", "update", "add_nics",
      "update_nics", "remove_nics", "create_snapshot", "rollback_snapshot", "delete_snapshot", "create_disk",
      "resize_disk", "delete_disk", "migrate");

  private final Clock clock;
  private final VmapiVms vms;
  private final WorkflowJobs jobs;
  private final SandboxCnapi cnapi;
  private final SandboxNapi napi;
  private final VmapiJobSteps steps;
  private final VmapiVmUpdates updates;
  private final VmapiNicJobs nicJobs;

  VmapiVmJobs(Clock clock, VmapiVms vms, WorkflowJobs jobs, SandboxCnapi cnapi, SandboxNapi napi) {
    this.clock = clock;
    this.vms = vms;
    this.jobs = jobs;
    this.cnapi = cnapi;
    this.napi = napi;
    this.steps = new VmapiJobSteps(vms, cnapi);
    this.updates = new VmapiVmUpdates(clock, jobs, cnapi, steps);
    this.nicJobs = new VmapiNicJobs(jobs, cnapi, napi, steps, this);
  }

  void fwapi(SandboxFwapi f) {
    steps.fwapi(f);
  }

  /** A network a new VM asked for: its NAPI network, an address if one was named, primary. */
  record WantedNic(Map<String, Object> network, String ip, boolean primary) {}

  // ---- CreateVm ----

  /** CreateVm: checks, places, provisions the NICs, starts the job; the job. */
  WorkflowJobs.Job create(Map<String, Object> params, String reqId) {
    List<WantedNic> networks = params.containsKey("networks") ? networks(params) : null;
    List<Map<String, Object>> errors = new ArrayList<>();
    Object alias = params.get("alias");
    if (alias != null && !(alias instanceof String a && VmapiListQuery.isAlias(a))) {
      errors.add(VmapiListQuery.ALIAS_INVALID);
    }
    Object brand = params.get("brand");
    if (brand == null) {
      errors.add(missing("brand"));
    } else if (!VmapiListQuery.BRANDS.contains(brand)) {
      errors.add(VmapiListQuery.BRAND_INVALID);
    }
    if (networks == null) {
      errors.add(missing("networks"));
    }
    Object owner = params.get("owner_uuid");
    if (owner == null) {
      errors.add(missing("owner_uuid"));
    } else if (!VmapiListQuery.isUuid(String.valueOf(owner))) {
      errors.add(VmapiListQuery.invalid("owner_uuid", "Invalid UUID"));
    }
    Integer ram = number(params.get("ram") != null ? params.get("ram") : params.get("max_physical_memory"));
    boolean ramGiven = params.get("ram") != null || params.get("max_physical_memory") != null;
    if (ramGiven && (ram == null || ram < 1)) {
      errors.add(VmapiListQuery.invalid("ram", "Not a valid number: number must be >= 1"));
    }
    Object server = params.get("server_uuid");
    if (server != null && !VmapiListQuery.isUuid(String.valueOf(server))) {
      errors.add(VmapiListQuery.invalid("server_uuid", "Invalid UUID"));
    }
    boolean hvm = "kvm".equals(brand) || "bhyve".equals(brand);
    if (!ramGiven && params.get("billing_id") == null) {
      errors.add(hvm ? RestError.fieldError("ram", "MissingParameter", "Is required for " + brand) : missing("ram"));
    }
    Object uuid = params.get("uuid");
    if (uuid != null && !VmapiListQuery.isUuid(String.valueOf(uuid))) {
      throw SandboxVmapi.validationFailed(List.of(VmapiListQuery.invalid("uuid", "Invalid UUID")));
    }
    if (uuid != null && vms.get(String.valueOf(uuid)) != null) {
      errors.add(RestError.fieldError("uuid", "Duplicate", "Already exists"));
    }
    if (alias instanceof String a && owner != null && !vms.list(vm -> a.equals(vm.get("alias"))
        && owner.equals(vm.get("owner_uuid")) && VmapiVms.isActive(vm)).isEmpty()) {
      errors.add(RestError.fieldError("alias", "Duplicate", "Already exists for this owner_uuid"));
    }
    if (server != null && VmapiListQuery.isUuid(String.valueOf(server))
        && cnapi.servers().server(String.valueOf(server)) == null) {
      errors.add(VmapiListQuery.invalid("server_uuid", "Server " + server + " not found"));
    }
    Object image = hvm ? firstDiskImage(params) : params.get("image_uuid");
    if (image == null) {
      errors.add(hvm ? missing("disks") : missing("image_uuid"));
    } else if (!VmapiListQuery.isUuid(String.valueOf(image))) {
      errors.add(VmapiListQuery.invalid(hvm ? "disks.0.image_uuid" : "image_uuid", "Invalid UUID"));
    }
    if (!errors.isEmpty()) {
      throw new RestError(409, "ValidationFailed", "Invalid VM parameters", Map.of("errors", errors));
    }

    String vmUuid = uuid != null ? String.valueOf(uuid) : UUID.randomUUID().toString();
    int memory = ram != null ? ram : 1024;
    Map<String, Object> chosen = server != null ? checkNicTags(String.valueOf(server), networks)
        : place(params, networks, memory);
    String serverUuid = (String) chosen.get("uuid");

    Map<String, Object> vm = new LinkedHashMap<>(params);
    vm.remove("networks");
    vm.remove("sync");
    vm.put("uuid", vmUuid);
    vm.put("ram", memory);
    vm.putIfAbsent("max_physical_memory", memory);
    if (params.get("billing_id") == null) {
      vm.putIfAbsent("max_swap", Math.max(2 * memory, 256));
      vm.putIfAbsent("quota", 10);
      vm.putIfAbsent("cpu_shares", Math.max(1, memory / 128));
    }
    vm.putIfAbsent("firewall_enabled", false);
    vm.put("state", "provisioning");
    vm.put("server_uuid", serverUuid);
    vm.put("create_timestamp", JsValues.isoString(clock.millis()));
    vms.put(vmUuid, vm);

    List<Map<String, Object>> nics = new ArrayList<>();
    try {
      for (WantedNic w : networks) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("owner_uuid", owner);
        p.put("belongs_to_uuid", vmUuid);
        p.put("belongs_to_type", "zone");
        p.put("state", "provisioning");
        p.put("cn_uuid", serverUuid);
        p.put("primary", w.primary());
        if (w.ip() != null) {
          p.put("ip", w.ip());
        }
        nics.add(napi.provisionNic((String) w.network().get("uuid"), p));
      }
    } catch (RuntimeException e) {
      nics.forEach(n -> napi.deleteNic((String) n.get("mac")));
      vms.markFailed(vmUuid);
      throw e;
    }

    Map<String, Object> jobParams = VmapiJobSteps.jobParams("provision", vm, reqId);
    jobParams.put("nics", nics);
    jobParams.put("image_uuid", image);
    WorkflowJobs.Job job = jobs.create("provision-8.2.4", vmUuid, jobParams, 3810);
    Map<String, Object> payload = payload(vm, nics, image);
    String[] ensureTask = new String[1];
    String[] createTask = new String[1];
    new WorkflowChain()
        .now("common.validate_params", () -> "All parameters OK!")
        .now("workflow.set_job_action", () -> "Action set")
        .now("cnapi.ensure_image", () -> {
          ensureTask[0] = cnapi.dispatchTask(serverUuid, "image_ensure_present", Map.of("image_uuid", image), reqId);
          return "Ensure image task queued!";
        })
        .task("cnapi.wait_task_ensure_image", () -> steps.waitTask(ensureTask[0], 3600))
        .now("prepare_payload", () -> "Payload prepared successfully")
        .now("cnapi.provision_vm", () -> {
          createTask[0] = cnapi.dispatchTask(serverUuid, "machine_create", payload, reqId);
          return "Provision task: " + createTask[0] + " queued!";
        })
        .task("cnapi.wait_task", () -> steps.waitTask(createTask[0], 3600))
        .task("vmapi.put_vm", () -> steps.putVm(vmUuid, createTask[0], "running", "stopped"))
        .now("fwapi.update", () -> steps.fwapiUpdate("provision", jobParams, payload))
        .onError(() -> {
          if (createTask[0] == null) { // the CN never took it: its NICs go too, as napi.cleanup_nics
            nics.forEach(n -> napi.deleteNic((String) n.get("mac")));
          }
          vms.markFailed(vmUuid);
        })
        .run(job);
    return job;
  }

  static Map<String, Object> missing(String field) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("field", field);
    e.put("code", "MissingParameter");
    return e;
  }

  static Integer number(Object v) {
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (v instanceof String s && s.matches("^\\d{1,9}$")) {
      return Integer.valueOf(s);
    }
    return null;
  }

  private static Object firstDiskImage(Map<String, Object> params) {
    if (params.get("disks") instanceof List<?> disks && !disks.isEmpty() && disks.get(0) instanceof Map<?, ?> d) {
      return d.get("image_uuid");
    }
    return null;
  }

  /** VMAPI's {@code networks} in any of its forms, each found in NAPI (422 when not). */
  List<WantedNic> networks(Map<String, Object> params) {
    Object raw = params.get("networks");
    List<Object> items = new ArrayList<>();
    if (raw instanceof String s) {
      for (String u : s.split(",")) {
        items.add(u.trim());
      }
    } else if (raw instanceof List<?> l) {
      items.addAll(l);
    } else {
      throw networksInvalid("Malformed networks object");
    }
    if (items.isEmpty()) {
      throw networksInvalid("Malformed networks object");
    }
    if (params.get("owner_uuid") == null || !VmapiListQuery.isUuid(String.valueOf(params.get("owner_uuid")))) {
      // Real VMAPI asserts here (and exits); the sandbox answers what it would have said later.
      throw new RestError(409, "ValidationFailed", "Invalid VM parameters", Map.of("errors", List.of(
          params.get("owner_uuid") == null ? missing("owner_uuid")
              : VmapiListQuery.invalid("owner_uuid", "Invalid UUID"))));
    }
    List<WantedNic> out = new ArrayList<>();
    int primaries = 0;
    for (Object item : items) {
      String id;
      String ip = null;
      boolean primary = false;
      if (item instanceof String s) {
        id = s;
      } else if (item instanceof Map<?, ?> m) {
        if (m.containsKey("uuid") && m.containsKey("ipv4_uuid")) {
          throw networksInvalid("Network object uses both old uuid form and new ipvX_uuid form");
        }
        Object u = m.containsKey("ipv4_uuid") ? m.get("ipv4_uuid") : m.containsKey("uuid") ? m.get("uuid") : m.get("name");
        if (u == null) {
          throw networksInvalid("Network object must specify a UUID or a name");
        }
        id = String.valueOf(u);
        if (m.get("ip") instanceof String s) {
          ip = s;
        } else if (m.get("ipv4_ips") instanceof List<?> ips && !ips.isEmpty()) {
          if (ips.size() > 1) {
            throw networksInvalid("ipv4_ips may only have a single entry");
          }
          ip = String.valueOf(ips.get(0));
        }
        primary = Boolean.TRUE.equals(m.get("primary"));
      } else {
        throw networksInvalid("Malformed networks object");
      }
      if (primary && ++primaries > 1) {
        throw networksInvalid("Cannot specify more than one primary network");
      }
      // A pool first, then a network, as VMAPI looks them up; a pool's NIC lands on one of its networks.
      Map<String, Object> network = napi.pools().find(id);
      if (network == null) {
        try {
          network = napi.nics().network(id);
        } catch (RestError notFound) {
          throw new RestError(422, "UnprocessableEntityError", "No such Network or Pool with id/name: \"" + id + "\"");
        }
      }
      out.add(new WantedNic(network, ip, primary));
    }
    if (primaries == 0) {
      WantedNic first = out.get(0);
      out.set(0, new WantedNic(first.network(), first.ip(), true));
    }
    return out;
  }

  private static RestError networksInvalid(String reason) {
    return new RestError(409, "ValidationFailed", "Invalid network parameters",
        Map.of("errors", List.of(VmapiListQuery.invalid("networks", reason))));
  }

  /** A server's NIC tags: the NIC Names of its interfaces whose link is up, and its overlay tags. */
  @SuppressWarnings("unchecked")
  private static Set<String> nicTags(Map<String, Object> server) {
    Set<String> tags = new LinkedHashSet<>();
    if (server.get("sysinfo") instanceof Map<?, ?> sysinfo) {
      if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> ifaces) {
        for (Object nic : ifaces.values()) {
          if (nic instanceof Map<?, ?> n && !"down".equals(n.get("Link Status")) && n.get("NIC Names") instanceof List<?> l) {
            l.forEach(t -> tags.add(String.valueOf(t)));
          }
        }
      }
      if (sysinfo.get("Virtual Network Interfaces") instanceof Map<?, ?> vnics) {
        for (Object vnic : vnics.values()) {
          if (vnic instanceof Map<?, ?> v && v.get("Overlay Nic Tags") instanceof List<?> l) {
            l.forEach(t -> tags.add(String.valueOf(t)));
          }
        }
      }
    }
    return tags;
  }

  static List<String> missingTags(Map<String, Object> server, List<WantedNic> networks) {
    Set<String> have = nicTags(server);
    List<String> lacking = new ArrayList<>();
    for (WantedNic w : networks) {
      String tag = String.valueOf(w.network().get("nic_tag"));
      if (!have.contains(tag)) {
        lacking.add(tag);
      }
    }
    return lacking;
  }

  /** A given server_uuid skips DAPI: only its NIC tags are checked, as VMAPI does. */
  private Map<String, Object> checkNicTags(String serverUuid, List<WantedNic> networks) {
    Map<String, Object> server = cnapi.renderedServer(serverUuid);
    if (server == null) {
      throw RestError.resourceNotFound("Server " + serverUuid + " not found");
    }
    List<String> lacking = missingTags(server, networks);
    if (!lacking.isEmpty()) {
      throw new RestError(409, "ValidationFailed", "Server must have one of the following NIC tags: "
          + String.join(", ", lacking), Map.of("errors", List.of(VmapiListQuery.invalid("server", "Invalid parameter"))));
    }
    return server;
  }

  /**
   * DAPI's choice, simplified: set up, running, not reserved, not the headnode; the same traits
   * as asked (none asked: only servers without traits); the networks' NIC tags; enough unreserved
   * RAM. Of those, the one with the most unreserved RAM (then the lowest uuid).
   */
  private Map<String, Object> place(Map<String, Object> params, List<WantedNic> networks, int ram) {
    Map<String, Object> wanted = params.get("traits") instanceof Map<?, ?> t ? castMap(t) : Map.of();
    String reason = "no servers";
    List<Map<String, Object>> fit = new ArrayList<>();
    for (Map<String, Object> s : cnapi.renderedServers()) {
      if (!Boolean.TRUE.equals(s.get("setup"))) {
        reason = "Server not set up";
      } else if (!"running".equals(s.get("status"))) {
        reason = "Server has status: " + s.get("status");
      } else if (Boolean.TRUE.equals(s.get("reserved"))) {
        reason = "Server is reserved";
      } else if (Boolean.TRUE.equals(s.get("headnode"))) {
        reason = "Server is a headnode";
      } else if (!traitsMatch(wanted, s.get("traits") instanceof Map<?, ?> t ? castMap(t) : Map.of())) {
        reason = "Combined vm/package/image traits did not match the server's traits";
      } else {
        List<String> lackingTags = missingTags(s, networks);
        if (!lackingTags.isEmpty()) {
          reason = "Server must have one of the NIC Tags: " + String.join(", ", lackingTags);
        } else if (!(s.get("unreserved_ram") instanceof Number free) || free.doubleValue() < ram) {
          reason = "VM's calculated " + ram + " RAM is less than server's spare " + s.get("unreserved_ram");
        } else {
          fit.add(s);
        }
      }
    }
    if (fit.isEmpty()) {
      throw new RestError(409, "NoAllocatableServersError", "No compute resources available: " + reason);
    }
    fit.sort(Comparator.comparingDouble((Map<String, Object> s) -> -((Number) s.get("unreserved_ram")).doubleValue())
        .thenComparing(s -> String.valueOf(s.get("uuid"))));
    return fit.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** DAPI's traits rule: the same keys, each matching (boolean equal, string in, lists meeting). */
  static boolean traitsMatch(Map<String, Object> wanted, Map<String, Object> server) {
    if (wanted.size() != server.size()) {
      return false;
    }
    for (Map.Entry<String, Object> e : wanted.entrySet()) {
      if (!server.containsKey(e.getKey()) || !traitMatches(e.getValue(), server.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean traitMatches(Object wanted, Object have) {
    if (wanted instanceof Boolean || have instanceof Boolean) {
      return wanted.equals(have);
    }
    List<?> w = wanted instanceof List<?> l ? l : List.of(String.valueOf(wanted));
    List<?> h = have instanceof List<?> l ? l : List.of(String.valueOf(have));
    return w.stream().anyMatch(h::contains);
  }

  /** What the provision workflow's prepare_payload sends to CNAPI's VmCreate. */
  private static Map<String, Object> payload(Map<String, Object> vm, List<Map<String, Object>> nics, Object image) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (String k : List.of("uuid", "alias", "autoboot", "billing_id", "brand", "cpu_cap", "cpu_shares",
        "customer_metadata", "internal_metadata", "max_physical_memory", "max_swap", "max_lwps", "owner_uuid",
        "quota", "ram", "tags", "hostname", "dns_domain", "firewall_enabled", "zfs_io_priority", "disks", "vcpus")) {
      if (vm.get(k) != null) {
        p.put(k, vm.get(k));
      }
    }
    if (!"kvm".equals(vm.get("brand")) && !"bhyve".equals(vm.get("brand"))) {
      p.put("image_uuid", image);
    }
    p.put("image", Map.of("uuid", image));
    p.put("archive_on_delete", true);
    p.put("nics", nics);
    List<Object> resolvers = new ArrayList<>();
    for (Map<String, Object> n : nics) {
      if (n.get("resolvers") instanceof List<?> r) {
        r.stream().filter(x -> !resolvers.contains(x)).forEach(resolvers::add);
      }
    }
    p.put("resolvers", resolvers);
    return p;
  }

  // ---- actions ----

  /** UpdateVm's actions that run a job here; the disk actions and migrate answer 501 (docs/sandbox.md). */
  WorkflowJobs.Job action(Map<String, Object> vm, String action, Map<String, Object> params, String reqId) {
    String uuid = (String) vm.get("uuid");
    switch (action) {
      case "update" -> {
        Object alias = params.get("alias");
        // VMAPI's validateUniqueAlias counts the VM itself: renaming a VM to its own alias is a Duplicate.
        return updates.update(vm, params, reqId, vms.list(other -> alias != null && alias.equals(other.get("alias"))
            && vm.get("owner_uuid").equals(other.get("owner_uuid")) && VmapiVms.isActive(other)));
      }
      case "reprovision" -> {
        return updates.reprovision(vm, params, reqId);
      }
      case "create_snapshot", "rollback_snapshot", "delete_snapshot" -> {
        return updates.snapshot(vm, action, params, reqId);
      }
      case "add_nics" -> {
        return nicJobs.addNics(vm, params, reqId);
      }
      case "update_nics" -> {
        return nicJobs.updateNics(vm, params, reqId);
      }
      case "remove_nics" -> {
        return nicJobs.removeNics(vm, params, reqId);
      }
      default -> { } // the power actions, below
    }
    Object idem = params.get("idempotent");
    if (idem != null && !Boolean.TRUE.equals(idem) && !"true".equals(idem)) {
      throw SandboxVmapi.validationFailed(List.of(VmapiListQuery.invalid("idempotent", "Invalid parameter")));
    }
    boolean idempotent = idem != null;
    String server = (String) vm.get("server_uuid");
    Map<String, Object> jobParams = VmapiJobSteps.jobParams(action, vm, reqId);
    jobParams.put("current_state", vm.get("state"));
    if (idempotent) {
      jobParams.put("idempotent", true);
    }
    String[] names = switch (action) {
      case "start" -> new String[] {"start-7.0.8", "410", "machine_boot", "stopped", "running", "cnapi.start_vm"};
      case "stop" -> new String[] {"stop-7.0.8", "530", "machine_shutdown", "running", "stopped", "cnapi.stop_vm"};
      case "reboot" -> new String[] {"reboot-7.0.6", "590", "machine_reboot", "running", "running", "cnapi.reboot_vm"};
      case "kill" -> new String[] {"kill-7.0.2", "210", "machine_kill", null, "stopped", "cnapi.kill_vm"};
      default -> throw SandboxCnapi.notImplementedError("VMAPI action=" + action);
    };
    WorkflowJobs.Job job = jobs.create(names[0], uuid, jobParams, Integer.parseInt(names[1]));
    String[] task = new String[1];
    WorkflowChain wf = new WorkflowChain().now("common.validate_params", () -> "All parameters OK!");
    if (names[3] != null) {
      String needed = names[3];
      wf.now("common.ensure_vm_state", () -> {
        Map<String, Object> now = vms.get(uuid);
        String state = now == null ? null : String.valueOf(now.get("state"));
        if (needed.equals(state)) {
          return "VM is " + state;
        }
        if (idempotent && names[4].equals(state)) {
          throw new WorkflowChain.Done("VM is " + state + ", action is idempotent");
        }
        Map<String, Object> error = new LinkedHashMap<>(); // as node-workflow records an Error: name, message
        error.put("name", "Error");
        error.put("message", "Cannot " + action + " a VM from a '" + state + "' state");
        throw new WorkflowChain.TaskError(error);
      });
    }
    Map<String, Object> taskParams = new LinkedHashMap<>(params);
    taskParams.remove("action");
    taskParams.put("uuid", uuid);
    taskParams.put("jobid", job.uuid);
    wf.now(names[5], () -> {
      task[0] = cnapi.dispatchTask(server, names[2], taskParams, reqId);
      return "Task id: " + task[0] + " queued to CNAPI!";
    })
        .task("cnapi.wait_task", () -> steps.waitTask(task[0], Integer.parseInt(names[1])))
        .task("vmapi.put_vm", () -> steps.putVm(uuid, task[0], names[4], names[4]))
        .run(job);
    return job;
  }

  /** DeleteVm: the destroy job; its NICs leave NAPI once the CN has destroyed the VM. */
  WorkflowJobs.Job destroy(Map<String, Object> vm, String reqId) {
    String uuid = (String) vm.get("uuid");
    String server = (String) vm.get("server_uuid");
    if (server == null) {
      throw new RestError(409, "Conflict", "Cannot delete a VM with no server_uuid");
    }
    Map<String, Object> jobParams = VmapiJobSteps.jobParams("destroy", vm, reqId);
    jobParams.put("current_state", vm.get("state"));
    WorkflowJobs.Job job = jobs.create("destroy-7.1.6", uuid, jobParams, 180);
    String[] task = new String[1];
    new WorkflowChain()
        .now("common.validate_params", () -> "All parameters OK!")
        .now("cnapi.destroy_vm", () -> {
          task[0] = cnapi.dispatchTask(server, "machine_destroy", Map.of("uuid", uuid, "jobid", job.uuid), reqId);
          return "Task id: " + task[0] + " queued to CNAPI!";
        })
        .task("cnapi.wait_task", () -> steps.waitTask(task[0], 180))
        .now("vmapi.refresh_vm", () -> {
          Map<String, Object> now = vms.get(uuid);
          if (now != null && !"destroyed".equals(now.get("state"))) {
            vms.markDestroyed(uuid);
          }
          return "VM " + uuid + " destroyed";
        })
        .now("napi.remove_nics", () -> {
          for (Map<String, Object> nic : napi.nics().list(Set.of(uuid), n -> true)) {
            napi.deleteNic((String) nic.get("mac"));
          }
          return "NICs removed";
        })
        .now("fwapi.update", () -> steps.fwapiUpdate("destroy", jobParams, null))
        .run(job);
    return job;
  }
}
