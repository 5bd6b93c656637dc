package com.joyent.mockcloud.triton;

/**
 * The one User-Agent formula of mockcloud's outbound requests. The agents send the Node
 * agents' pattern, {@code <product>/<version> (java/<feature>.<interim>.<update>) <suffix>}
 * ({@code cn-agent/2.14.5 (java/17.0.15) server/<uuid>}); golden traces and tests compare it.
 */
public final class UserAgent {
  private UserAgent() {}

  /** An agent's: {@code vm-agent/1.9.0 (java/17.0.9) server/<uuid>}. */
  public static String of(String product, String version, String suffix) {
    Runtime.Version v = Runtime.version();
    return product + "/" + version + " (java/" + v.feature() + "." + v.interim() + "." + v.update() + ") " + suffix;
  }

  /** A server tool's: {@code mockcloud/<jar version or dev> <tool>}. */
  public static String tool(String tool) {
    String v = UserAgent.class.getPackage().getImplementationVersion();
    return "mockcloud/" + (v == null ? "dev" : v) + " " + tool;
  }
}
