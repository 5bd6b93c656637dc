package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.netagent.ChangefeedMode;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Open files a fleet needs against what this process may open. Each CN holds its cn-agent
 * listener, and — with the changefeed per CN — its net-agent's WebSocket; the shared changefeed
 * is one socket for the whole process; everything else (JVM, logs, pooled outbound connections,
 * VM file writes) fits in a fixed reserve. The JVM already raises its soft limit to the hard one
 * at start (-XX:+MaxFDLimit), so the limit read here is as high as this process can go without
 * root. Everything but {@link #limit()} is a pure function.
 */
public final class FdBudget {
  /** What the fleet can afford. */
  public enum Plan {
    /** Room for a listener and a changefeed socket per CN. */
    PER_CN_CHANGEFEED,
    /** Room for the listeners and one shared changefeed socket, not a socket per CN. */
    SHARED_CHANGEFEED,
    /** Not even one listener per CN: some CNs will fail to listen. */
    TOO_FEW
  }

  static final long RESERVE = 1_000;

  private FdBudget() {}

  public static Plan plan(int cns, long limit) {
    if (need(cns, ChangefeedMode.PER_CN) <= limit) {
      return Plan.PER_CN_CHANGEFEED;
    }
    return need(cns, ChangefeedMode.SHARED) <= limit ? Plan.SHARED_CHANGEFEED : Plan.TOO_FEW;
  }

  /**
   * The mode to run in: {@code auto} is per-cn when {@code plan} is {@link Plan#PER_CN_CHANGEFEED}
   * and shared otherwise (one socket is the least a changefeed can cost); an explicit mode stays.
   */
  public static ChangefeedMode choose(ChangefeedMode requested, Plan plan) {
    if (requested != ChangefeedMode.AUTO) {
      return requested;
    }
    return plan == Plan.PER_CN_CHANGEFEED ? ChangefeedMode.PER_CN : ChangefeedMode.SHARED;
  }

  /** Open files needed by {@code cns} CNs with the changefeed in {@code mode} (auto counts as per-cn). */
  public static long need(int cns, ChangefeedMode mode) {
    return switch (mode) {
      case PER_CN, AUTO -> RESERVE + 2L * cns;
      case SHARED -> RESERVE + cns + 1L;
      case OFF -> RESERVE + cns;
    };
  }

  /** This process's open-file limit, or {@link Long#MAX_VALUE} where the JVM cannot tell. */
  public static long limit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : Long.MAX_VALUE;
  }
}
