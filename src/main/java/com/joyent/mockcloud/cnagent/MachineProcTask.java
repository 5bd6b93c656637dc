package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.vm.VmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code machine_proc} as the smartos backend runs it (CNAPI's VmProc): the {@code /proc}
 * entries of a running VM's processes, keyed by pid. A mock VM runs no processes, so a running
 * VM answers {@code {}} — the truth about it. Errors: {@code uuid} missing or empty → {@code
 * missing uuid for machine_proc}; no such VM (or a {@code do_not_inventory} one) → {@code
 * vmadm.load error: VM does not exist} with {@code restCode VmNotFound}; not running → {@code
 * VM is not running} with {@code restCode VmNotRunning}; a {@code uuid} that is not a string →
 * the crash answer.
 */
final class MachineProcTask {
  private MachineProcTask() {}

  static void run(TaskContext ctx) {
    Object uuidParam = ctx.params().get("uuid");
    if (!JsValues.truthy(uuidParam)) {
      ctx.fatal("missing uuid for machine_proc");
      return;
    }
    String uuid = ctx.requireString("uuid");
    Map<String, Object> vm;
    try {
      if (!NodeVmadm.exists(ctx, uuid, false)) {
        NodeVmadm.fatalNotFound(ctx, "vmadm.load error: ");
        return;
      }
      vm = ctx.cn().vms().load(uuid, List.of("brand", "pid", "zone_state"), false);
    } catch (VmException e) {
      NodeVmadm.fatalNotFound(ctx, "vmadm.load error: ");
      return;
    }
    if (!"running".equals(vm.get("zone_state"))) {
      ctx.fatal("VM is not running", NodeVmadm.details("VmNotRunning"));
      return;
    }
    ctx.log("machine_proc: a mock VM runs no processes");
    ctx.finish(new LinkedHashMap<>());
  }
}
