package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.vm.VmException;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the machine tasks turn a VM store error into a task error (spec cn-agent.md §8). */
final class VmErrors {
  private VmErrors() {}

  /** {@code fatal "<prefix><message>"}, with {@code details.restCode VmNotFound} when the VM is missing. */
  static void fatal(TaskContext ctx, String prefix, VmException e) {
    ctx.fatal(prefix + e.getMessage(), details(e));
  }

  /** The same without details, where the reference attaches none. */
  static void fatalPlain(TaskContext ctx, String prefix, VmException e) {
    ctx.fatal(prefix + e.getMessage(), null);
  }

  static Map<String, Object> details(VmException e) {
    if (e.kind() != VmException.Kind.NOT_FOUND) {
      return null;
    }
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("restCode", "VmNotFound");
    return d;
  }

  static Map<String, Object> wrapVm(Map<String, Object> vm) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("vm", vm);
    return r;
  }
}
