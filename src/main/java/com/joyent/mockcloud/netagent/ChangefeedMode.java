package com.joyent.mockcloud.netagent;

import java.util.Locale;

/**
 * How the net-agents of a process listen to NAPI's changefeed (docs/net-agent.md, "The
 * changefeed"):
 *
 * <ul>
 *   <li>{@link #PER_CN}: one WebSocket and one registration per CN, as a real CN's net-agent;
 *       what a NAPI under test should see, at one socket and one frame per change per CN;
 *   <li>{@link #SHARED}: one WebSocket per NAPI URL for the whole process ({@link SharedChangefeeds}),
 *       each change item handed only to the net-agents it concerns;
 *   <li>{@link #AUTO}: {@link #PER_CN} while the open-file limit has room for a listener and a
 *       socket per CN, else {@link #SHARED} (decided by run-servers' fleet, {@code fleet.FdBudget});
 *       a lone {@link NetAgent} given {@code AUTO} acts as {@link #PER_CN};
 *   <li>{@link #OFF}: no changefeed at all; periodic refreshes only.
 * </ul>
 */
public enum ChangefeedMode {
  PER_CN("per-cn"), SHARED("shared"), AUTO("auto"), OFF("off");

  private final String flag;

  ChangefeedMode(String flag) {
    this.flag = flag;
  }

  /** The spelling of {@code --changefeed} / {@code MOCKCLOUD_CHANGEFEED}: per-cn, shared, auto, off. */
  public String flag() {
    return flag;
  }

  /** Parses {@link #flag()} (any case; {@code per_cn} too); throws IllegalArgumentException naming the choices. */
  public static ChangefeedMode parse(String s) {
    String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (ChangefeedMode m : values()) {
      if (m.flag.equals(v)) {
        return m;
      }
    }
    throw new IllegalArgumentException("changefeed mode must be per-cn, shared, auto or off, got \"" + s + "\"");
  }

  @Override
  public String toString() {
    return flag;
  }
}
