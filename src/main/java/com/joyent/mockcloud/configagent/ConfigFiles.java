package com.joyent.mockcloud.configagent;

import com.joyent.mockcloud.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where config-agent's files land on a mock CN: a manifest's {@code path} (a path on a real
 * CN, e.g. {@code /opt/smartdc/agents/etc/cn-agent.config.json}) under the agent's
 * {@code agents/<agent>/root/}. A changed file is replaced atomically; an unchanged one is not
 * touched (the real agent compares the whole text too, but writes in place).
 */
final class ConfigFiles {
  static final String ROOT = "root";

  private ConfigFiles() {}

  /** The file for {@code manifestPath} under {@code agentDir}, or null when the path would leave it. */
  static Path target(Path agentDir, String manifestPath) {
    Path root = agentDir.resolve(ROOT);
    String relative = manifestPath.replaceFirst("^/+", "");
    if (relative.isEmpty() || Arrays.asList(relative.split("/")).contains("..")) {
      return null;
    }
    Path p = root.resolve(relative).normalize();
    return p.startsWith(root) && !p.equals(root) ? p : null;
  }

  /** Writes {@code contents} unless the file holds exactly that; true when it wrote. */
  static boolean writeIfChanged(Path file, String contents) throws IOException {
    byte[] bytes = contents.getBytes(StandardCharsets.UTF_8);
    try {
      // The real agent rewrites an empty file even when the new text is empty too.
      byte[] existing = Files.readAllBytes(file);
      if (existing.length > 0 && Arrays.equals(existing, bytes)) {
        return false;
      }
    } catch (NoSuchFileException absent) {
      // written below
    }
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, bytes);
    return true;
  }
}
