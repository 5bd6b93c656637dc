package com.joyent.mockcloud.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The {@code Live Image} a new CN reports: on SmartOS the platform buildstamp from
 * {@code uname -v} ({@code joyent_20190718T003512Z} → {@code 20190718T003512Z}), elsewhere
 * a fixed, plausible buildstamp (a Linux kernel version would confuse CNAPI).
 */
public final class PlatformImage {
  public static final String DEFAULT = "20190718T003512Z";

  private PlatformImage() {}

  public static String current() {
    try {
      Process p = new ProcessBuilder("uname", "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(5, TimeUnit.SECONDS);
      return fromUname(out);
    } catch (IOException e) {
      return DEFAULT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DEFAULT;
    }
  }

  static String fromUname(String unameV) {
    String[] parts = unameV.split("_");
    if (parts.length >= 2 && parts[0].equals("joyent") && parts[1].matches("\\d{8}T\\d{6}Z")) {
      return parts[1];
    }
    return DEFAULT;
  }
}
