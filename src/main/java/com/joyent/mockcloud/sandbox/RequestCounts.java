package com.joyent.mockcloud.sandbox;

import io.undertow.server.HttpHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP requests each stand-in received since the last reset: what the benchmark reads to give
 * SAPI's and FWAPI's request rates under a fleet of config-agents and firewallers. Counted as a
 * request arrives, before routing, so refused and unknown routes count as an API sees them.
 */
final class RequestCounts {
  private final Map<String, LongAdder> byApi = new LinkedHashMap<>(); // guarded by this; in the order added

  /** {@code handler}, counting every request it gets under {@code api}. */
  synchronized HttpHandler counted(String api, HttpHandler handler) {
    LongAdder n = new LongAdder();
    byApi.put(api, n);
    return exchange -> {
      n.increment();
      handler.handleRequest(exchange);
    };
  }

  /** {api: requests} in the order the APIs were added. */
  synchronized Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    byApi.forEach((api, n) -> m.put(api, n.sum()));
    return m;
  }

  synchronized void reset() {
    byApi.values().forEach(LongAdder::reset);
  }
}
