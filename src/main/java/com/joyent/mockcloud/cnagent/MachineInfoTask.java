package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.vm.VmException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code machine_info} as the smartos backend runs it (CNAPI's VmInfo and VmVnc): {@code vmadm
 * info <uuid> [types]} for a running kvm or bhyve VM. The result is what vmadm prints — the
 * info object as 2-space JSON and a newline — handed on as a <em>string</em>, so the reply body
 * is a JSON string (CNAPI's VmVnc parses it). Params: {@code uuid} (string), {@code types}
 * (optional array of strings; empty or absent is {@code all}), {@code include_dni}.
 *
 * <p>Types are checked against the brand as vmadm does (bhyve: {@code all, vnc}; kvm: the
 * qemu list). The mock has no hypervisor to ask, so a kvm VM answers {@code status}, {@code vnc}
 * and {@code version} (the VM store's fixed answer) and leaves out the other kvm types; bhyve
 * answers {@code vnc}. Errors: no such VM → {@code vmadm.info error: VM does not exist} with
 * {@code restCode VmNotFound}; a zone, a VM that is not running, an unknown type → {@code
 * vmadm.info error: vmadm exited with code: 1 signal: null} (vmadm's words in the task log).
 */
final class MachineInfoTask {
  private static final String PREFIX = "vmadm.info error: ";
  private static final Map<String, Set<String>> TYPES = Map.of(
      "bhyve", Set.of("all", "vnc"),
      "kvm", Set.of("all", "block", "blockstats", "chardev", "cpus", "kvm", "pci", "spice", "status", "version", "vnc"));

  private MachineInfoTask() {}

  static void run(TaskContext ctx) {
    List<String> types = types(ctx);
    String uuid = ctx.requireString("uuid");
    boolean includeDni = NodeVmadm.includeDni(ctx);
    ctx.adoptRequestId(); // the real task hands its params, req_id set, to vmadm
    if (!NodeVmadm.exists(ctx, uuid, includeDni)) {
      NodeVmadm.fatalNotFound(ctx, PREFIX);
      return;
    }
    Map<String, Object> vm;
    try {
      vm = ctx.cn().vms().load(uuid, List.of("brand", "state"), true);
    } catch (VmException e) {
      NodeVmadm.fatalNotFound(ctx, PREFIX);
      return;
    }
    String problem = problem(vm, types);
    if (problem != null) {
      NodeVmadm.fatalExit1(ctx, PREFIX, "Unable to get VM info for VM " + uuid + ": " + problem);
      return;
    }
    Map<String, Object> info;
    try {
      info = new LinkedHashMap<>(ctx.cn().vms().info(uuid, null));
    } catch (VmException e) {
      NodeVmadm.fatalExit1(ctx, PREFIX, "Unable to get VM info for VM " + uuid + ": " + e.getMessage());
      return;
    }
    Set<String> allowed = TYPES.get(String.valueOf(vm.get("brand")));
    boolean all = types.contains("all");
    info.keySet().removeIf(k -> !allowed.contains(k) || (!all && !types.contains(k)));
    ctx.finish(new String(Json.prettyBytes(info, 2), StandardCharsets.UTF_8));
  }

  /**
   * {@code params.types}: a falsy value is none (the task's default), an array of strings is
   * joined and split again at commas as vmadm's command line does, anything else crashes.
   */
  private static List<String> types(TaskContext ctx) {
    Object t = ctx.params().get("types");
    if (!JsValues.truthy(t)) {
      return List.of("all");
    }
    if (!(t instanceof List<?> list) || !list.stream().allMatch(x -> x instanceof String)) {
      throw TaskContext.crash("params.types must be an array of strings, got " + t);
    }
    if (list.isEmpty()) {
      return List.of("all");
    }
    List<String> out = new ArrayList<>();
    for (Object x : list) {
      out.addAll(List.of(((String) x).split(",", -1)));
    }
    return out;
  }

  /** vmadm's refusal, or null: state first, then the brand's info types. */
  private static String problem(Map<String, Object> vm, List<String> types) {
    Object state = vm.get("state");
    if (!"running".equals(state) && !"stopping".equals(state)) {
      return "Unable to get info for vm from state \"" + state + "\", must be \"running\" or \"stopping\".";
    }
    Set<String> allowed = TYPES.get(String.valueOf(vm.get("brand")));
    if (allowed == null) {
      return "no info types supported for brand " + vm.get("brand");
    }
    for (String type : types) {
      if (!allowed.contains(type)) {
        return "unknown info type " + type;
      }
    }
    return null;
  }
}
