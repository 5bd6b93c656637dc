package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.vm.MachineCreatePayload;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The machine_* tasks over the VM store (spec cn-agent.md §3.2.3–3.2.13). Error texts are
 * the reference's, prefix by prefix (§8), so CNAPI and VMAPI workflows see what they expect.
 */
final class MachineTasks {
  private MachineTasks() {}

  static CompletionStage<?> create(TaskContext ctx) throws Exception {
    String uuid = ctx.requireUuid("uuid");
    ServerVms vms = ctx.cn().vms();
    boolean exists = ctx.step("pre_check", 20, "Performing pre-flight sanity check",
        () -> vms.exists(uuid, true));
    if (exists) {
      ctx.fatal("Machine " + uuid + " exists.");
      return done();
    }
    ProvisionLock.create(ctx.cn(), uuid);
    try {
      ctx.step("ensure_dataset_present", 30, "Checking for required image/dataset", () -> null);
      ctx.step("fetch_dataset", 50, "Fetching image/dataset", () -> null);
      MachineCreatePayload.Mapped mapped;
      try {
        mapped = ctx.step("build_payload", 60, "Building VM payload",
            () -> MachineCreatePayload.fromTaskParams(ctx.params()));
      } catch (VmException e) {
        ctx.fatal(e.getMessage());
        return done();
      }
      if (!mapped.ignored().isEmpty()) {
        ctx.log("machine_create: dropped keys " + mapped.ignored());
      }
      try {
        ctx.step("create_machine", 100, "Creating machine", () -> vms.create(mapped.payload()));
      } catch (VmException e) {
        ctx.fatal(e.getMessage());
        return done();
      }
    } finally {
      ProvisionLock.remove(ctx.cn(), uuid);
    }
    try {
      ctx.finish(VmErrors.wrapVm(vms.load(uuid)));
    } catch (VmException e) {
      ctx.finish(); // only a do_not_inventory VM could vanish here; the reference answers {}
    }
    return done();
  }

  static void load(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    try {
      ctx.finish(ctx.cn().vms().load(uuid));
    } catch (VmException e) {
      VmErrors.fatal(ctx, "VM.load error: ", e);
    }
  }

  static void boot(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    ServerVms vms = ctx.cn().vms();
    if (!applyUpdateParam(ctx, uuid)) {
      return;
    }
    // As the reference hands its params to vmadm.start: the answer, error or not, carries req_id.
    ctx.adoptRequestId();
    try {
      vms.start(uuid);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.start error: ", e);
      return;
    }
    finishWithView(ctx, uuid);
  }

  static void shutdown(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    if (!validTimeout(ctx)) {
      return;
    }
    try {
      ctx.cn().vms().stop(uuid);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.stop error: ", e);
      return;
    }
    finishWithView(ctx, uuid);
  }

  static void reboot(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    if (!validTimeout(ctx) || !applyUpdateParam(ctx, uuid)) {
      return;
    }
    try {
      ctx.cn().vms().reboot(uuid);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.reboot error: ", e);
      return;
    }
    ctx.progress(100);
    finishWithView(ctx, uuid);
  }

  /**
   * Applies the update; if NICs were added or removed on a running VM it is rebooted so the
   * zone sees them, and (as the reference) the answer is the view from before the reboot.
   */
  static void update(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    ServerVms vms = ctx.cn().vms();
    try {
      vms.update(uuid, ctx.params());
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.update error: ", e);
      return;
    }
    Map<String, Object> view;
    try {
      view = vms.load(uuid);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.load error: ", e);
      return;
    }
    boolean nicsChanged = ctx.params().containsKey("add_nics") || ctx.params().containsKey("remove_nics");
    if (!nicsChanged || !"running".equals(view.get("state"))) {
      ctx.progress(100);
      ctx.finish(VmErrors.wrapVm(view));
      return;
    }
    ctx.progress(75);
    try {
      vms.reboot(uuid);
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.reboot error: ", e);
      return;
    }
    ctx.progress(100);
    ctx.finish(VmErrors.wrapVm(view));
  }

  /** Waits for a provision in progress, then removes the VM; a missing VM is success. */
  static CompletionStage<?> destroy(TaskContext ctx) {
    String uuid = ctx.requireUuid("uuid");
    return ProvisionLock.awaitReleased(ctx.cn(), uuid).thenRun(() -> {
      try {
        ctx.cn().vms().delete(uuid);
      } catch (VmException e) {
        if (e.kind() != VmException.Kind.NOT_FOUND) {
          ctx.fatal("delete error: " + e.getMessage());
          return;
        }
      }
      ctx.finish();
    });
  }

  static CompletionStage<?> reprovision(TaskContext ctx) throws Exception {
    String uuid = ctx.requireUuid("uuid");
    String image = ctx.requireUuid("image_uuid");
    ServerVms vms = ctx.cn().vms();
    boolean exists = ctx.step("pre_check", 20, "Pre-flight sanity check", () -> vms.exists(uuid, false));
    if (!exists) {
      ctx.fatal("VM " + uuid + " does not exist.");
      return done();
    }
    ProvisionLock.create(ctx.cn(), uuid);
    try {
      ctx.step("ensure_dataset_present", 30, "Checking for zone template dataset", () -> null);
      try {
        ctx.step("reprovision_machine", 100, "Reprovisioning machine", () -> {
          vms.reprovision(uuid, image);
          return null;
        });
      } catch (VmException e) {
        VmErrors.fatalPlain(ctx, "vmadm.reprovision error: ", e);
        return done();
      }
    } finally {
      ProvisionLock.remove(ctx.cn(), uuid);
    }
    try {
      ctx.finish(VmErrors.wrapVm(vms.load(uuid)));
    } catch (VmException e) {
      VmErrors.fatalPlain(ctx, "vmadm.load error: ", e);
    }
    return done();
  }

  /** The optional {@code update} param of boot/reboot, applied first. False if it failed the task. */
  private static boolean applyUpdateParam(TaskContext ctx, String uuid) {
    if (!(ctx.params().get("update") instanceof Map<?, ?> u)) {
      return true;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> payload = new LinkedHashMap<>((Map<String, Object>) u);
    payload.put("uuid", uuid);
    try {
      ctx.cn().vms().update(uuid, payload);
      return true;
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.update error: ", e);
      return false;
    }
  }

  /** {@code timeout}, if truthy, must be a number or a string of digits (§3.2.6). */
  private static boolean validTimeout(TaskContext ctx) {
    Object t = ctx.params().get("timeout");
    if (!JsValues.truthy(t) || t instanceof Number || (t instanceof String s && s.matches("\\d+"))) {
      return true;
    }
    ctx.fatal("Invalid type: \"" + JsValues.typeOf(t) + "\" for timeout");
    return false;
  }

  static void finishWithView(TaskContext ctx, String uuid) {
    try {
      ctx.finish(VmErrors.wrapVm(ctx.cn().vms().load(uuid)));
    } catch (VmException e) {
      VmErrors.fatal(ctx, "vmadm.load error: ", e);
    }
  }

  private static CompletionStage<?> done() {
    return CompletableFuture.completedFuture(null);
  }
}
