package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.vm.VmException;
import java.util.List;
import java.util.Map;

/**
 * {@code machine_kill} as the smartos backend runs it (CNAPI's VmKill): {@code vmadm kill
 * [-s <signal>] <uuid>}, then the VM's view. Params: {@code uuid} (a string), {@code signal}
 * (optional string; absent or empty is SIGTERM), {@code idempotent} ({@code true} or
 * {@code "true"}: a VM that is not running is not an error), {@code include_dni} (optional
 * boolean). A signal that ends the VM's init leaves the VM stopped with {@code autoboot}
 * unchanged (one write, the VM store's kill); 0 and the harmless signals ({@link KillSignal})
 * change nothing. Errors, as node-vmadm reports them:
 * <ul>
 *   <li>no such VM: {@code vmadm.kill error: VM does not exist}, {@code restCode VmNotFound};
 *   <li>VM not running (unless idempotent), unknown signal: {@code vmadm.kill error: vmadm
 *       exited with code: 1 signal: null} (vmadm's own words go to the task log);
 *   <li>a {@code uuid}, {@code signal} or {@code include_dni} of the wrong type: the crash answer.
 * </ul>
 */
final class MachineKillTask {
  private static final String PREFIX = "vmadm.kill error: ";

  private MachineKillTask() {}

  static void run(TaskContext ctx) {
    Map<String, Object> p = ctx.params();
    boolean idempotent = Boolean.TRUE.equals(p.get("idempotent")) || "true".equals(p.get("idempotent"));
    String uuid = ctx.requireString("uuid");
    Object signalParam = p.get("signal");
    if (signalParam != null && !(signalParam instanceof String)) {
      throw TaskContext.crash("params.signal must be a string, got " + signalParam);
    }
    boolean includeDni = NodeVmadm.includeDni(ctx);
    ctx.adoptRequestId(); // the real task hands its params, req_id set, to vmadm
    if (!NodeVmadm.exists(ctx, uuid, includeDni)) {
      NodeVmadm.fatalNotFound(ctx, PREFIX);
      return;
    }
    if (!kill(ctx, uuid, (String) signalParam, idempotent)) {
      return;
    }
    try {
      ctx.finish(VmErrors.wrapVm(ctx.cn().vms().load(uuid, null, includeDni)));
    } catch (VmException e) {
      ctx.fatal("vmadm.load error: " + NodeVmadm.NOT_FOUND);
    }
  }

  /** vmadm kill itself; false if it failed the task. */
  private static boolean kill(TaskContext ctx, String uuid, String signalParam, boolean idempotent) {
    Map<String, Object> vm;
    try {
      vm = ctx.cn().vms().load(uuid, List.of("zone_state", "pid"), true);
    } catch (VmException e) {
      NodeVmadm.fatalNotFound(ctx, PREFIX);
      return false;
    }
    if (!"running".equals(vm.get("zone_state")) || vm.get("pid") == null) {
      String why = "Cannot find running init PID for VM " + uuid;
      if (idempotent) {
        ctx.log("ignoring vmadm.kill() failure, idempotent flag set: " + why);
        return true;
      }
      NodeVmadm.fatalExit1(ctx, PREFIX, why);
      return false;
    }
    KillSignal signal;
    try {
      signal = KillSignal.resolve(signalParam);
    } catch (KillSignal.UnknownSignal e) {
      NodeVmadm.fatalExit1(ctx, PREFIX, e.getMessage());
      return false;
    }
    ctx.log("sent signal \"" + signal.name() + "\" to init process for VM " + uuid
        + (signal.endsVm() ? "; the VM stops" : "; the VM keeps running"));
    if (!signal.endsVm()) {
      return true;
    }
    try {
      ctx.cn().vms().kill(uuid, signal.name());
      return true;
    } catch (VmException e) {
      NodeVmadm.fatalExit1(ctx, PREFIX, e.getMessage());
      return false;
    }
  }
}
