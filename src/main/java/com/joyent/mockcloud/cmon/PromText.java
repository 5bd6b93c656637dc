package com.joyent.mockcloud.cmon;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes Prometheus text format v0.0.4 (spec net-agent-cmon-mockcloud.md §4.2): one HELP and
 * one TYPE line per metric name, then its samples. Not thread-safe; one per response.
 */
final class PromText {
  private final StringBuilder sb = new StringBuilder(4096);
  private String current;

  /** Starts a metric family; samples follow with {@link #sample}. */
  PromText family(String name, String type, String help) {
    current = name;
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  PromText sample(double value) {
    return sample(Map.of(), value);
  }

  PromText sample(Map<String, String> labels, double value) {
    sb.append(current);
    if (!labels.isEmpty()) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
      }
      sb.append('}');
    }
    sb.append(' ').append(format(value)).append('\n');
    return this;
  }

  /** A gauge or counter with a single unlabelled sample. */
  PromText metric(String name, String type, String help, double value) {
    return family(name, type, help).sample(value);
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
