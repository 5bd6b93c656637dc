package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.util.Uuids;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the smartos backend's tasks see {@code vmadm}: through joyent/node-vmadm, which first
 * checks that the VM exists (its zone file; a {@code do_not_inventory} VM only with
 * {@code include_dni}) and otherwise reduces every failure of the vmadm command to its exit
 * status. The real reason (vmadm's standard error) only reaches the task log, so the tasks
 * here log it too. Stateless.
 */
final class NodeVmadm {
  /** node-vmadm's error for a VM it cannot find; it carries {@code restCode VmNotFound}. */
  static final String NOT_FOUND = "VM does not exist";
  /** node-vmadm's error for any vmadm command that failed (vmadm exits 1 on every error). */
  static final String EXIT_1 = "vmadm exited with code: 1 signal: null";

  private NodeVmadm() {}

  /**
   * node-vmadm's existence check. Any string is a lookup key for it (a real CN reads
   * {@code /etc/zones/<uuid>.xml}), so a string that is not a UUID is simply a missing VM.
   */
  static boolean exists(TaskContext ctx, String uuid, boolean includeDni) {
    return Uuids.isUuid(uuid) && ctx.cn().vms().exists(uuid, includeDni);
  }

  /** {@code params.include_dni}: absent is false; anything but a boolean crashes, as node-vmadm asserts. */
  static boolean includeDni(TaskContext ctx) {
    Object v = ctx.params().get("include_dni");
    if (v == null) {
      return false; // assert-plus lets null and undefined through
    }
    if (!(v instanceof Boolean b)) {
      throw TaskContext.crash("params.include_dni must be a boolean, got " + v);
    }
    return b;
  }

  static Map<String, Object> details(String restCode) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("restCode", restCode);
    return d;
  }

  /** {@code fatal "<prefix>VM does not exist"} with {@code details.restCode VmNotFound}. */
  static void fatalNotFound(TaskContext ctx, String prefix) {
    ctx.fatal(prefix + NOT_FOUND, details("VmNotFound"));
  }

  /** A failed vmadm command: the task log gets vmadm's words, the task its exit status. */
  static void fatalExit1(TaskContext ctx, String prefix, String vmadmStderr) {
    ctx.log("vmadm failed, stderr: " + vmadmStderr);
    ctx.fatal(prefix + EXIT_1);
  }
}
