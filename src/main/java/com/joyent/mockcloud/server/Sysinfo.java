package com.joyent.mockcloud.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Builds the sysinfo of a new mock CN exactly as the reference create-server template does
 * (spec cn-agent.md §5.2): same keys in the same order, same fixed values, with the
 * hardware of a {@link HardwareProfile}. A pure function of its inputs plus the random
 * source, so tests can pin it down.
 */
public final class Sysinfo {
  public static final String ADMIN_NIC = "dnet0";
  public static final String SPARE_NIC = "dnet1";

  private Sysinfo() {}

  /**
   * The NIC under {@code Network Interfaces} that carries the admin tag ({@code Admin NIC Tag},
   * default {@code admin}) in its {@code NIC Names}, as the live map (changes write through), or null.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> adminNic(Map<String, Object> sysinfo) {
    String tag = sysinfo.get("Admin NIC Tag") instanceof String s && !s.isEmpty() ? s : "admin";
    if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> nics) {
      for (Object o : nics.values()) {
        if (o instanceof Map<?, ?> nic && nic.get("NIC Names") instanceof List<?> names && names.contains(tag)) {
          return (Map<String, Object>) nic;
        }
      }
    }
    return null;
  }

  /** What a new CN needs to know that sysinfo cannot make up by itself. */
  public record Identity(UUID uuid, String hostname, String datacenter, String adminIp, String adminMac,
      String spareMac, String liveImage, Instant bootTime, HardwareProfile profile) {}

  public static Map<String, Object> build(Identity id, Random random) {
    HardwareProfile hw = id.profile();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("System Type", "Virtual");
    s.put("SDC Version", "7.0");
    s.put("Manufacturer", "Joyent");
    s.put("Product", "Joyent-Virtual-CN-0001");
    s.put("SKU Number", "90210 rev 42");
    s.put("HW Version", "1.0");
    s.put("HW Family", "JXX-0001");
    s.put("Setup", "true");
    s.put("VM Capable", true);
    s.put("Bhyve Capable", true);
    s.put("Bhyve Max Vcpus", 32);
    s.put("CPU Type", hw.cpuType());
    s.put("CPU Virtualization", "vmx");
    s.put("CPU Physical Cores", hw.physicalCores());
    s.put("CPU Total Cores", hw.totalCores());
    s.put("MiB of Memory", Integer.toString(hw.memoryMiB()));
    s.put("Zpool", "zones");
    List<String> disks = diskNames(hw.diskCount(), random);
    s.put("Zpool Disks", String.join(",", disks));
    s.put("Zpool Profile", hw.zpoolProfile());
    Map<String, Object> diskMap = new LinkedHashMap<>();
    for (String d : disks) {
      diskMap.put(d, Map.of("Size in GB", hw.diskSizeGb()));
    }
    s.put("Disks", diskMap);
    Map<String, Object> boot = new LinkedHashMap<>();
    boot.put("console", "ttyb");
    boot.put("boot_args", "");
    boot.put("bootargs", "");
    s.put("Boot Parameters", boot);
    s.put("SDC Agents", List.of());
    Map<String, Object> nics = new LinkedHashMap<>();
    nics.put(ADMIN_NIC, nic(id.adminIp(), List.of("admin"), id.adminMac()));
    nics.put(SPARE_NIC, nic("", List.of(), id.spareMac()));
    s.put("Network Interfaces", nics);
    s.put("Virtual Network Interfaces", new LinkedHashMap<>());
    s.put("Link Aggregations", new LinkedHashMap<>());
    s.put("Datacenter Name", id.datacenter());
    s.put("UUID", id.uuid().toString());
    s.put("Admin IP", id.adminIp());
    s.put("Zpool Size in GiB", hw.zpoolSizeGiB());
    s.put("Live Image", id.liveImage());
    long epoch = id.bootTime().getEpochSecond();
    s.put("Boot Time", Long.toString(epoch));
    s.put("Hostname", id.hostname());
    s.put("Serial Number", serialNumber(id.uuid()));
    s.put("Zpool Creation", epoch);
    return s;
  }

  private static Map<String, Object> nic(String ip, List<String> names, String mac) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("ip4addr", ip);
    n.put("Link Status", "up");
    n.put("NIC Names", names);
    n.put("MAC Address", mac);
    return n;
  }

  /** {@code c<i>t5000<6 random uppercase hex>d0}, as the reference names disks. */
  static List<String> diskNames(int count, Random random) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(String.format("c%dt5000%06Xd0", i, random.nextInt(1 << 24)));
    }
    return names;
  }

  /** {@code VC} + the first 8 characters of the UUID, upper-cased. */
  public static String defaultHostname(UUID uuid) {
    return "VC" + serialNumber(uuid);
  }

  public static String serialNumber(UUID uuid) {
    return uuid.toString().substring(0, 8).toUpperCase(Locale.ROOT);
  }

  /** A MAC in the reference's {@code 00:10:fe} range, lowercase. */
  public static String randomMac(Random random) {
    return String.format("00:10:fe:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256), random.nextInt(256));
  }

  /** The MACs of every NIC in a sysinfo's {@code Network Interfaces}. */
  public static List<String> macs(Map<String, Object> sysinfo) {
    List<String> macs = new ArrayList<>();
    if (sysinfo.get("Network Interfaces") instanceof Map<?, ?> nics) {
      for (Object nic : nics.values()) {
        if (nic instanceof Map<?, ?> n && n.get("MAC Address") instanceof String mac) {
          macs.add(mac);
        }
      }
    }
    return macs;
  }
}
