package com.joyent.mockcloud.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The hardware a mock CN claims in its sysinfo. {@link #STANDARD} is the reference
 * create-server template; the others let a fleet be mixed for placement tests (DAPI
 * looks at memory, cores and disk). Documented in docs/server-directories.md.
 */
public enum HardwareProfile {
  /** The reference template: 2 sockets / 32 threads, 256 GiB, 16 × 600 GB mirror. */
  STANDARD("standard", "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", 2, 32, 262111, 16, 600, "mirror", 3770),
  /** A small CN: 1 socket / 16 threads, 64 GiB, 4 × 600 GB mirror. */
  SMALL("small", "Intel(R) Xeon(R) CPU E5-2650 v2 @ 2.60GHz", 1, 16, 65447, 4, 600, "mirror", 1050),
  /** A storage CN: 2 sockets / 48 threads, 512 GiB, 36 × 4000 GB raidz2. */
  LARGE_STORAGE("large-storage", "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz", 2, 48, 524169, 36, 4000, "raidz2",
      113000);

  private final String id;
  private final String cpuType;
  private final int physicalCores;
  private final int totalCores;
  private final int memoryMiB;
  private final int diskCount;
  private final int diskSizeGb;
  private final String zpoolProfile;
  private final int zpoolSizeGiB;

  HardwareProfile(String id, String cpuType, int physicalCores, int totalCores, int memoryMiB, int diskCount,
      int diskSizeGb, String zpoolProfile, int zpoolSizeGiB) {
    this.id = id;
    this.cpuType = cpuType;
    this.physicalCores = physicalCores;
    this.totalCores = totalCores;
    this.memoryMiB = memoryMiB;
    this.diskCount = diskCount;
    this.diskSizeGb = diskSizeGb;
    this.zpoolProfile = zpoolProfile;
    this.zpoolSizeGiB = zpoolSizeGiB;
  }

  public String id() {
    return id;
  }

  public String cpuType() {
    return cpuType;
  }

  public int physicalCores() {
    return physicalCores;
  }

  public int totalCores() {
    return totalCores;
  }

  public int memoryMiB() {
    return memoryMiB;
  }

  public int diskCount() {
    return diskCount;
  }

  public int diskSizeGb() {
    return diskSizeGb;
  }

  public String zpoolProfile() {
    return zpoolProfile;
  }

  public int zpoolSizeGiB() {
    return zpoolSizeGiB;
  }

  /** Looks a profile up by its id ({@code small}, {@code standard}, {@code large-storage}). */
  public static HardwareProfile byId(String id) {
    for (HardwareProfile p : values()) {
      if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown hardware profile \"" + id + "\" (known: " + ids() + ")");
  }

  /** The profile a CN's sysinfo was made with: its {@code CPU Type} and {@code MiB of Memory}, or empty. */
  public static Optional<HardwareProfile> matching(Map<String, Object> sysinfo) {
    for (HardwareProfile p : values()) {
      if (p.cpuType().equals(sysinfo.get("CPU Type"))
          && Integer.toString(p.memoryMiB()).equals(String.valueOf(sysinfo.get("MiB of Memory")))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code id} names a profile. */
  public static boolean isId(String id) {
    return Arrays.stream(values()).anyMatch(p -> p.id.equals(id));
  }

  public static String ids() {
    return Arrays.stream(values()).map(HardwareProfile::id).collect(Collectors.joining(", "));
  }
}
