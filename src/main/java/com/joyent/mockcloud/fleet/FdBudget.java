package com.joyent.mockcloud.fleet;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Open files a fleet needs against what this process may open. Each CN holds its cn-agent
 * listener, and — when NAPI publishes a changefeed — its net-agent's WebSocket; everything
 * else (JVM, logs, pooled outbound connections, VM file writes) fits in a fixed reserve. The
 * JVM already raises its soft limit to the hard one at start (-XX:+MaxFDLimit), so the limit
 * read here is as high as this process can go without root.
 */
public final class FdBudget {
  /** What the fleet can afford. */
  public enum Plan {
    /** Room for a listener and a changefeed socket per CN. */
    PER_CN_CHANGEFEED,
    /** Room for the listeners only: net-agents go without the changefeed (periodic refreshes). */
    NO_CHANGEFEED,
    /** Not even one listener per CN: some CNs will fail to listen. */
    TOO_FEW
  }

  static final long RESERVE = 1_000;

  private FdBudget() {}

  public static Plan plan(int cns, long limit) {
    if (RESERVE + 2L * cns <= limit) {
      return Plan.PER_CN_CHANGEFEED;
    }
    return RESERVE + cns <= limit ? Plan.NO_CHANGEFEED : Plan.TOO_FEW;
  }

  /** Open files needed by {@code cns} CNs under {@code plan}. */
  public static long need(int cns, Plan plan) {
    return RESERVE + (plan == Plan.PER_CN_CHANGEFEED ? 2L : 1L) * cns;
  }

  /** This process's open-file limit, or {@link Long#MAX_VALUE} where the JVM cannot tell. */
  public static long limit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : Long.MAX_VALUE;
  }
}
