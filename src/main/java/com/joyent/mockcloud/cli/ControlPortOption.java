package com.joyent.mockcloud.cli;

import com.joyent.mockcloud.fleet.Daemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --control-port}, or the port run-servers wrote under the root: how the action commands reach a daemon. */
final class ControlPortOption {
  @Option(names = "--control-port", paramLabel = "PORT", defaultValue = "${env:MOCKCLOUD_CONTROL_PORT:--1}",
      description = "run-servers' control port on 127.0.0.1 (env MOCKCLOUD_CONTROL_PORT; default: the port "
          + "run-servers wrote to ROOT/control.port)")
  int port;

  /** A client of the daemon's control port: the option's, else {@code ROOT/control.port}'s. */
  ControlClient client(SettingsOptions settings) throws IOException {
    return new ControlClient(port >= 0 ? port : portFromRoot(settings.settings().root()));
  }

  private static int portFromRoot(Path root) throws IOException {
    Path file = Daemon.controlPortFile(root);
    try {
      return Integer.parseInt(Files.readString(file).trim());
    } catch (NoSuchFileException e) {
      throw new IOException("no " + file + ": is run-servers running with --control-port? (or give --control-port)");
    } catch (NumberFormatException e) {
      throw new IOException(file + " does not hold a port number");
    }
  }
}
