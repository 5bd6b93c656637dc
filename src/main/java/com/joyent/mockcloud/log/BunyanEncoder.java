package com.joyent.mockcloud.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.joyent.mockcloud.json.JsValues;
import com.joyent.mockcloud.json.Json;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * Writes each log event as one bunyan JSON line ({@code name, hostname, pid, level, msg,
 * time, v}) so Triton engineers can read mockcloud logs with the {@code bunyan} CLI.
 * MDC entries (e.g. {@code server_uuid}) and SLF4J key-value pairs become top-level fields;
 * the logger name becomes {@code component}.
 */
public final class BunyanEncoder extends EncoderBase<ILoggingEvent> {
  private static final long PID = ProcessHandle.current().pid();
  private static final String HOSTNAME = hostname();
  private String name = "mockcloud";

  public void setName(String name) {
    this.name = name;
  }

  /** Bunyan's numeric levels: trace 10, debug 20, info 30, warn 40, error 50. */
  static int bunyanLevel(Level level) {
    return switch (level.toInt()) {
      case Level.TRACE_INT -> 10;
      case Level.DEBUG_INT -> 20;
      case Level.INFO_INT -> 30;
      case Level.WARN_INT -> 40;
      default -> 50;
    };
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("name", name);
    rec.put("hostname", HOSTNAME);
    rec.put("pid", PID);
    rec.put("component", shortName(event.getLoggerName()));
    rec.put("level", bunyanLevel(event.getLevel()));
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      rec.putAll(mdc);
    }
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        rec.put(kv.key, kv.value instanceof Number || kv.value instanceof Boolean
            || kv.value instanceof Map || kv.value instanceof List ? kv.value : String.valueOf(kv.value));
      }
    }
    IThrowableProxy tp = event.getThrowableProxy();
    if (tp != null) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("message", tp.getMessage());
      err.put("name", tp.getClassName());
      err.put("stack", ThrowableProxyUtil.asString(tp));
      rec.put("err", err);
    }
    rec.put("msg", event.getFormattedMessage());
    rec.put("time", JsValues.isoString(event.getTimeStamp()));
    rec.put("v", 0);
    return (Json.compact(rec) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
