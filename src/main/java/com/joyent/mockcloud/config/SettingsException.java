package com.joyent.mockcloud.config;

/** A missing or invalid setting. The message is one line that names it; the CLI exits 2. */
public final class SettingsException extends RuntimeException {
  public SettingsException(String message) {
    super(message, null, false, false);
  }
}
