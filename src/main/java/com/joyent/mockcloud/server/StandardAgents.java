package com.joyent.mockcloud.server;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The GZ agents a new mock CN has installed: the six that mockcloud mocks, at the versions
 * the golden traces show. Each gets {@code agents/<name>/{package.json,image_uuid,instance_uuid}}
 * (spec cn-agent.md §5.6). cn-agent is ≥ 2.11.0 so CNAPI uses its newer task paths
 * (sysinfo-refresh through {@code server_sysinfo}, {@code server_reboot}).
 */
public final class StandardAgents {
  /** One agent: its name, version and the image it came from (fixed per version). */
  public record Agent(String name, String version, String imageUuid) {}

  public static final List<Agent> AGENTS = List.of(
      new Agent("cmon-agent", "1.17.1", "a0000000-0000-4000-8000-00000000c0a4"),
      new Agent("cn-agent", "2.14.5", "a0000000-0000-4000-8000-00000000c0a1"),
      new Agent("config-agent", "1.8.4", "a0000000-0000-4000-8000-00000000c0a5"),
      new Agent("firewaller", "1.6.1", "a0000000-0000-4000-8000-00000000c0a6"),
      new Agent("net-agent", "2.3.3", "a0000000-0000-4000-8000-00000000c0a3"),
      new Agent("vm-agent", "1.9.0", "a0000000-0000-4000-8000-00000000c0a2"));

  private StandardAgents() {}

  /** Installs every standard agent; an existing {@code instance_uuid} is kept (install is idempotent). */
  public static void install(Path agentsDir) throws IOException {
    for (Agent a : AGENTS) {
      install(agentsDir, a);
    }
  }

  public static void install(Path agentsDir, Agent agent) throws IOException {
    Path dir = agentsDir.resolve(agent.name());
    Files.createDirectories(dir);
    Map<String, Object> pkg = new LinkedHashMap<>();
    pkg.put("name", agent.name());
    pkg.put("description", "Triton " + agent.name() + " (mocked by mockcloud)");
    pkg.put("version", agent.version());
    AtomicFiles.write(dir.resolve("package.json"), Json.prettyBytes(pkg, 2), false);
    AtomicFiles.write(dir.resolve("image_uuid"), (agent.imageUuid() + "\n").getBytes(StandardCharsets.UTF_8), false);
    Path instance = dir.resolve("instance_uuid");
    if (!Files.exists(instance)) {
      AtomicFiles.write(instance, (UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8), false);
    }
  }
}
