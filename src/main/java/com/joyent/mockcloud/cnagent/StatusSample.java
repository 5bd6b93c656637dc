package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.vm.ServerVms;
import com.joyent.mockcloud.vm.VmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The body of {@code POST /servers/<uuid>/events/status} (spec §4.5) as a SmartOS cn-agent
 * sends it: the CN's VMs in the smartos backend's shape, {@code zpoolStatus}, {@code meminfo}
 * and {@code diskinfo} worked out from sysinfo's totals and the VMs ({@link MemoryFigures},
 * {@link DiskFigures}), {@code boot_time} from sysinfo's {@code Boot Time}.
 *
 * <p>Cheap on purpose, as every CN takes one a minute: one walk over the VM store's in-memory
 * summaries (no file is read, no VM decoded), and for kvm and bhyve VMs only, their
 * {@code disks} decoded from memory.
 */
final class StatusSample {
  private StatusSample() {}

  private static final List<String> VM_KEYS = List.of("brand", "cpu_cap", "last_modified", "max_physical_memory",
      "owner_uuid", "quota", "state", "uuid", "zone_state");
  /** What a status report reads of each VM: its keys and whether it is to be left out. */
  static final List<String> VM_KEYS_AND_DNI = Stream.concat(VM_KEYS.stream(), Stream.of("do_not_inventory")).toList();
  /** ... and for the figures, the image a zone was made from. */
  static final List<String> SAMPLE_KEYS = Stream.concat(VM_KEYS_AND_DNI.stream(), Stream.of("image_uuid")).toList();
  private static final List<String> DISKS = List.of("disks");

  /**
   * Takes a sample of {@code vms} (null: a CN without a VM store, reported empty).
   *
   * @param listVms whether {@code vms} lists the VMs (the reference dummy's is always empty)
   */
  static Map<String, Object> take(ServerVms vms, boolean listVms, SysinfoFigures host, Instant now) {
    Map<String, Object> listed = new LinkedHashMap<>();
    long runningVmBytes = 0;
    DiskFigures disk = new DiskFigures(host.poolBytes(), host.memoryBytes());
    if (vms != null) {
      // do_not_inventory VMs are left out of the list, not of the figures: they use memory and disk all the same.
      for (Map<String, Object> vm : vms.lookup(Map.of(), SAMPLE_KEYS)) {
        if (listVms && !JsValues.truthy(vm.get("do_not_inventory"))) {
          listed.put((String) vm.get("uuid"), vmEntry(vm));
        }
        if ("running".equals(vm.get("state")) && vm.get("max_physical_memory") instanceof Number mib) {
          runningVmBytes += Math.max(0, mib.longValue()) * SysinfoFigures.MIB;
        }
        if ("kvm".equals(vm.get("brand")) || "bhyve".equals(vm.get("brand"))) {
          addDisks(vms, vm);
        }
        disk.add(vm);
      }
    }
    return build(listed, disk, MemoryFigures.meminfo(host.memoryBytes(), runningVmBytes), host.bootTime(), now);
  }

  private static void addDisks(ServerVms vms, Map<String, Object> vm) {
    try {
      Object disks = vms.load((String) vm.get("uuid"), DISKS, true).get("disks");
      if (disks != null) {
        vm.put("disks", disks);
      }
    } catch (VmException gone) {
      // Destroyed since the walk began: the next sample no longer counts it.
    }
  }

  private static Map<String, Object> build(Map<String, Object> vms, DiskFigures disk, Map<String, Object> meminfo,
      String bootTimeEpochSecs, Instant now) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("vms", vms);
    s.put("zpoolStatus", disk.zpoolStatus());
    s.put("meminfo", meminfo);
    s.put("diskinfo", disk.diskinfo());
    s.put("boot_time", JsValues.isoString(Instant.ofEpochSecond(parseEpoch(bootTimeEpochSecs))));
    s.put("timestamp", JsValues.isoString(now));
    return s;
  }

  /** The status {@code vms} entry of one VM: the nine keys smartos cn-agent sends. */
  static Map<String, Object> vmEntry(Map<String, Object> vm) {
    Map<String, Object> e = new LinkedHashMap<>();
    for (String k : VM_KEYS) {
      if (vm.containsKey(k)) {
        e.put(k, vm.get(k));
      }
    }
    return e;
  }

  private static long parseEpoch(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException | NullPointerException e) {
      return 0;
    }
  }
}
