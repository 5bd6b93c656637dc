package com.joyent.mockcloud.config;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * SmartOS zone metadata, read with {@code mdata-get}. Outside a zone (no {@code mdata-get}
 * on PATH) every key is simply absent: nothing here requires SmartOS.
 */
public interface ZoneMetadata {
  /** The value of a key, or empty when the key is not set or there is no metadata service. */
  Optional<String> get(String key);

  ZoneMetadata NONE = key -> Optional.empty();

  /** Uses {@code mdata-get} from PATH if there is one, else {@link #NONE}. */
  static ZoneMetadata fromPath(String pathEnv) {
    if (pathEnv == null) {
      return NONE;
    }
    for (String dir : pathEnv.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path exe = Path.of(dir, "mdata-get");
      if (Files.isExecutable(exe)) {
        return new MdataGet(exe);
      }
    }
    return NONE;
  }

  /** Runs {@code mdata-get <key>}; exit status 0 = value on stdout, anything else = not set. */
  final class MdataGet implements ZoneMetadata {
    private final Path exe;

    MdataGet(Path exe) {
      this.exe = exe;
    }

    @Override
    public Optional<String> get(String key) {
      try {
        Process p = new ProcessBuilder(exe.toString(), key).redirectErrorStream(false)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new SettingsException("mdata-get " + key + " did not answer within 10 s");
        }
        if (p.exitValue() != 0) {
          return Optional.empty();
        }
        String value = new String(out, StandardCharsets.UTF_8).strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
      } catch (IOException e) {
        throw new SettingsException("cannot run " + exe + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SettingsException("interrupted while reading zone metadata " + key);
      }
    }
  }
}
