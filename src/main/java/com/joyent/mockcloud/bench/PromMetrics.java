package com.joyent.mockcloud.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape of a page in the Prometheus text format (version 0.0.4), as run-servers' control
 * port answers {@code GET /metrics}: every sample line by metric name and labels. Comment lines
 * ({@code # HELP}, {@code # TYPE}) and blank lines are skipped; timestamps are read and dropped.
 * Only what the bench needs is offered: the sum of a metric over all its label sets, and a
 * classic histogram ({@code _bucket{le=...}}, {@code _count}, {@code _sum}) summed the same way.
 */
final class PromMetrics {
  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PromMetrics(List<Sample> samples) {
    this.samples = samples;
  }

  List<Sample> samples() {
    return samples;
  }

  /** Parses a whole page; a malformed sample line is an IllegalArgumentException naming its line. */
  static PromMetrics parse(String text) {
    List<Sample> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(parseLine(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " of the metrics page: " + e.getMessage()
            + ": " + (line.length() > 120 ? line.substring(0, 120) + "..." : line), e);
      }
    }
    return new PromMetrics(Collections.unmodifiableList(out));
  }

  private static Sample parseLine(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new TreeMap<>();
    int afterName = skipBlanks(line, i);
    if (afterName < n && line.charAt(afterName) == '{') {
      i = afterName + 1;
      while (true) {
        i = skipBlanks(line, i);
        if (i < n && line.charAt(i) == '}') {
          i++;
          break;
        }
        int start = i;
        while (i < n && isLabelChar(line.charAt(i), i == start)) {
          i++;
        }
        if (i == start) {
          throw new IllegalArgumentException("bad label name");
        }
        String label = line.substring(start, i);
        i = skipBlanks(line, i);
        if (i >= n || line.charAt(i) != '=') {
          throw new IllegalArgumentException("no '=' after label " + label);
        }
        i = skipBlanks(line, i + 1);
        if (i >= n || line.charAt(i) != '"') {
          throw new IllegalArgumentException("label " + label + " has no quoted value");
        }
        StringBuilder v = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unterminated value of label " + label);
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\' && i < n) {
            char e = line.charAt(i++);
            v.append(e == 'n' ? '\n' : e); // \\ and \" stand for themselves
          } else {
            v.append(c);
          }
        }
        labels.put(label, v.toString());
        i = skipBlanks(line, i);
        if (i < n && line.charAt(i) == ',') {
          i++;
        } else if (i >= n || line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected ',' or '}' after label " + label);
        }
      }
    }
    if (i >= n || !Character.isWhitespace(line.charAt(i))) {
      throw new IllegalArgumentException("no value");
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length > 2) {
      throw new IllegalArgumentException("more than a value and a timestamp");
    }
    return new Sample(name, Collections.unmodifiableMap(labels), parseValue(rest[0]));
  }

  /** A sample value: a float as Go's ParseFloat reads it, including {@code +Inf}, {@code -Inf}, {@code NaN}. */
  static double parseValue(String s) {
    switch (s) {
      case "+Inf", "Inf", "+inf", "inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf", "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN", "nan" -> {
        return Double.NaN;
      }
      default -> {
        if (s.isEmpty() || !(Character.isDigit(s.charAt(s.length() - 1)) || s.charAt(s.length() - 1) == '.')) {
          // Double.parseDouble would take "1d" or "2f"; the format does not.
          throw new IllegalArgumentException("bad value " + s);
        }
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad value " + s);
        }
      }
    }
  }

  private static boolean isNameChar(char c, boolean first) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
  }

  private static boolean isLabelChar(char c, boolean first) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9';
  }

  private static int skipBlanks(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** The sum of every sample named {@code name} (over all label sets), or null when there is none. */
  Double sum(String name) {
    double total = 0;
    boolean found = false;
    for (Sample s : samples) {
      if (s.name().equals(name)) {
        total += s.value();
        found = true;
      }
    }
    return found ? total : null;
  }

  /**
   * The classic histogram {@code name} ({@code name_bucket}, {@code name_count}, {@code name_sum}),
   * buckets of equal {@code le} summed over the other labels; null when it has no buckets.
   */
  Histogram histogram(String name) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(name + "_bucket") && s.labels().containsKey("le")) {
        buckets.merge(parseValue(s.labels().get("le")), s.value(), Double::sum);
      }
    }
    if (buckets.isEmpty()) {
      return null;
    }
    double[] bounds = new double[buckets.size()];
    double[] cumulative = new double[buckets.size()];
    int i = 0;
    for (Map.Entry<Double, Double> b : buckets.entrySet()) {
      bounds[i] = b.getKey();
      cumulative[i++] = b.getValue();
    }
    Double count = sum(name + "_count");
    Double total = sum(name + "_sum");
    return new Histogram(bounds, cumulative, count != null ? count : cumulative[cumulative.length - 1],
        total != null ? total : Double.NaN);
  }

  /**
   * A classic (cumulative) histogram: {@code cumulative[i]} observations were at most
   * {@code bounds[i]}; bounds ascend, and the last is +Inf when the page had it.
   */
  record Histogram(double[] bounds, double[] cumulative, double count, double sum) {
    /**
     * What was observed between {@code earlier} and this scrape: bucket by bucket, count and sum.
     * IllegalStateException when the buckets differ or a count went down (the process restarted).
     */
    Histogram minus(Histogram earlier) {
      if (!Arrays.equals(bounds, earlier.bounds)) {
        throw new IllegalStateException("the histogram's buckets changed between scrapes");
      }
      double[] d = new double[bounds.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = cumulative[i] - earlier.cumulative[i];
        if (d[i] < 0) {
          throw new IllegalStateException("a histogram count went down between scrapes (process restarted?)");
        }
      }
      if (count < earlier.count) {
        throw new IllegalStateException("a histogram count went down between scrapes (process restarted?)");
      }
      return new Histogram(bounds, d, count - earlier.count, sum - earlier.sum);
    }

    /**
     * The upper bound of the bucket in which the cumulative count reaches {@code q} of all
     * observations ({@code +Inf} when only the +Inf bucket does); NaN when nothing was observed.
     * An estimate from above: the true quantile lies in that bucket, at or below its bound.
     */
    double quantileBound(double q) {
      double total = bounds.length > 0 && Double.isInfinite(bounds[bounds.length - 1])
          ? cumulative[cumulative.length - 1] : count;
      if (!(total > 0)) {
        return Double.NaN;
      }
      double rank = q * total;
      for (int i = 0; i < bounds.length; i++) {
        if (cumulative[i] >= rank - 1e-9 * total && cumulative[i] > 0) {
          return bounds[i];
        }
      }
      return Double.POSITIVE_INFINITY;
    }

    /** The highest finite bucket bound (what "beyond the buckets" means), or NaN with none. */
    double topFiniteBound() {
      for (int i = bounds.length - 1; i >= 0; i--) {
        if (!Double.isInfinite(bounds[i])) {
          return bounds[i];
        }
      }
      return Double.NaN;
    }

    @Override
    public String toString() {
      Map<String, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < bounds.length; i++) {
        m.put(Double.toString(bounds[i]), cumulative[i]);
      }
      return "Histogram" + m + " count=" + count + " sum=" + sum;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Histogram h && Arrays.equals(bounds, h.bounds)
          && Arrays.equals(cumulative, h.cumulative) && Double.compare(count, h.count) == 0
          && Double.compare(sum, h.sum) == 0;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bounds) * 31 + Arrays.hashCode(cumulative);
    }
  }
}
