package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The three sysinfo values every loaded VM view carries (spec §1.7 step 3):
 * {@code server_uuid = UUID}, {@code datacenter_name = "Datacenter Name"},
 * {@code platform_buildstamp = "Live Image"}. Immutable.
 */
public record ServerIdentity(String serverUuid, String datacenterName, String platformBuildstamp) {
  public ServerIdentity {
    if (serverUuid == null || !Uuids.isUuid(serverUuid)) {
      throw new IllegalArgumentException("server uuid must be a lower-case UUID, got " + serverUuid);
    }
    if (datacenterName == null || platformBuildstamp == null) {
      throw new IllegalArgumentException("datacenter name and live image are required");
    }
  }

  /** Reads {@code <server dir>/sysinfo.json}. */
  public static ServerIdentity fromSysinfoFile(Path sysinfoJson) throws IOException {
    try {
      return fromSysinfo(Json.parseObject(Files.readAllBytes(sysinfoJson)));
    } catch (Json.JsonFormatException | IllegalArgumentException e) {
      throw new IOException("unusable " + sysinfoJson + ": " + e.getMessage(), e);
    }
  }

  /** From a parsed {@code sysinfo.json}; all three keys must be strings. */
  public static ServerIdentity fromSysinfo(Map<String, ?> sysinfo) {
    Object uuid = sysinfo.get("UUID");
    Object dc = sysinfo.get("Datacenter Name");
    Object live = sysinfo.get("Live Image");
    if (!(uuid instanceof String) || !(dc instanceof String) || !(live instanceof String)) {
      throw new IllegalArgumentException(
          "sysinfo needs string \"UUID\", \"Datacenter Name\" and \"Live Image\", got "
              + uuid + ", " + dc + ", " + live);
    }
    return new ServerIdentity((String) uuid, (String) dc, (String) live);
  }
}
