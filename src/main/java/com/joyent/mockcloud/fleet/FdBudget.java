package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.netagent.ChangefeedMode;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open files a fleet needs against what this process may open. Each CN holds its cn-agent
 * listener, and — with the changefeed per CN — its net-agent's WebSocket; the shared changefeed
 * is one socket for the whole process; everything else (JVM, logs, pooled outbound connections,
 * VM file writes) fits in a fixed reserve. The JVM already raises its soft limit to the hard one
 * at start (-XX:+MaxFDLimit), so the limit read here is as high as this process can go without
 * root. Everything but {@link #limit()} and the log lines of {@link #resolve} is a pure function.
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

  private static final Logger LOG = LoggerFactory.getLogger(FdBudget.class);
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

  /**
   * How firewallers hear FWAPI: a connection per CN while that still fits beside the listeners and
   * changefeed sockets, else one for the process (said once in the log).
   */
  public static com.joyent.mockcloud.firewaller.FirewallerFeed.Mode firewallerFeed(int cns, ChangefeedMode changefeed,
      long limit) {
    if (need(cns, changefeed) + cns <= limit) {
      LOG.info("firewallers: a fast-messages connection to FWAPI per CN");
      return com.joyent.mockcloud.firewaller.FirewallerFeed.Mode.PER_CN;
    }
    LOG.info("firewallers: one shared fast-messages connection to FWAPI (a connection for each of the {} CNs "
        + "would need about {} open files, and this process may open {})", cns, need(cns, changefeed) + cns, limit);
    return com.joyent.mockcloud.firewaller.FirewallerFeed.Mode.SHARED;
  }

  /** Open files needed by {@code cns} CNs with the changefeed in {@code mode} (auto counts as per-cn). */
  public static long need(int cns, ChangefeedMode mode) {
    return switch (mode) {
      case PER_CN, AUTO -> RESERVE + 2L * cns;
      case SHARED -> RESERVE + cns + 1L;
      case OFF -> RESERVE + cns;
    };
  }

  /**
   * The changefeed mode a fleet of {@code cns} runs in ({@link #choose}), said once in the log:
   * what the net-agents will do and, when auto chose the shared socket, why; an error when even
   * the listeners do not fit.
   *
   * @param netAgents whether net-agents run at all (a NAPI URL and the admin uuid are set)
   */
  static ChangefeedMode resolve(ChangefeedMode asked, int cns, long limit, boolean netAgents) {
    Plan plan = plan(cns, limit);
    ChangefeedMode mode = choose(asked, plan);
    if (plan == Plan.TOO_FEW) {
      LOG.error("{} CNs need about {} open files, but this process may open {}: CNs past the limit cannot listen "
          + "(raise the hard limit, ulimit -Hn)", cns, need(cns, mode), limit);
    }
    if (!netAgents) {
      return mode;
    }
    long perCn = need(cns, ChangefeedMode.PER_CN);
    switch (mode) {
      case PER_CN -> {
        if (plan == Plan.PER_CN_CHANGEFEED) {
          LOG.info("net-agent changefeed: per-cn ({}; a WebSocket per CN, about {} open files of {})",
              asked == ChangefeedMode.AUTO ? "auto" : "asked for", perCn, limit);
        } else {
          LOG.warn("net-agent changefeed: per-cn (asked for), but a WebSocket per CN needs about {} open files and "
              + "this process may open {}: sockets past the limit will fail and be retried (raise the hard limit, "
              + "ulimit -Hn, or use --changefeed shared)", perCn, limit);
        }
      }
      case SHARED -> {
        if (asked == ChangefeedMode.AUTO) {
          LOG.info("net-agent changefeed: shared (auto: a WebSocket for each of the {} CNs would need about {} open "
              + "files, and this process may open {}): one WebSocket to NAPI for every CN, items handed to the "
              + "CNs they concern (raise the hard limit, ulimit -Hn, for a socket per CN)", cns, perCn, limit);
        } else {
          LOG.info("net-agent changefeed: shared (asked for): one WebSocket to NAPI for every CN");
        }
      }
      case OFF -> LOG.info("net-agent changefeed: off (asked for): net-agents rely on their periodic refreshes");
      case AUTO -> throw new IllegalStateException("auto is resolved by choose");
    }
    return mode;
  }

  /** This process's open-file limit, or {@link Long#MAX_VALUE} where the JVM cannot tell. */
  public static long limit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : Long.MAX_VALUE;
  }
}
