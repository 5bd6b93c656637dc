package com.joyent.mockcloud.bench;

import java.util.Arrays;

/** Percentiles of a batch of samples (sorted once). */
final class Percentiles {
  private final double[] sorted;

  Percentiles(double[] samples) {
    this.sorted = samples.clone();
    Arrays.sort(sorted);
  }

  double at(double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  int count() {
    return sorted.length;
  }
}
