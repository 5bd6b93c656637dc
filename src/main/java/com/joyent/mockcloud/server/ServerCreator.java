package com.joyent.mockcloud.server;

import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.SapiAgentInstances;

import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one mock CN the way the reference create-server does (spec cn-agent.md §5.3):
 * MACs in {@code 00:10:fe}, the admin NIC allocated from NAPI as booter would, sysinfo,
 * {@code vms/}, the standard agents. Unlike the reference it builds the directory under
 * {@code .staging/} and moves it into {@code servers/} in one rename only when complete, so
 * a failure leaves nothing half-made, and it releases the NAPI NIC again if a later step
 * fails. A MAC that NAPI already knows is replaced by a new random one (up to 5 tries).
 */
public final class ServerCreator {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCreator.class);
  private static final int MAC_TRIES = 5;

  private final ServerRoot root;
  private final NapiApi napi;
  private final String datacenter;
  private final UUID adminUuid;
  private final String liveImage;
  private final Clock clock;
  private final Random random;
  /** Where the new CN's agent instances are adopted, as each agent's install does; null: nowhere. */
  private JsonHttpClient sapi;

  public ServerCreator(ServerRoot root, NapiApi napi, String datacenter, UUID adminUuid, String liveImage,
      Clock clock, Random random) {
    this.root = root;
    this.napi = napi;
    this.datacenter = datacenter;
    this.adminUuid = adminUuid;
    this.liveImage = liveImage;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Adopts each new CN's agent instances into {@code sapi} (the agent's service, the instance
   * uuid, {@code params.server_uuid} and {@code image_uuid}), as a real agent's postinstall
   * does, so the CN's config-agent finds them. Returns this creator.
   */
  public ServerCreator adoptingInto(JsonHttpClient sapi) {
    this.sapi = sapi;
    return this;
  }

  /** What to create: all optional; null means "make one up". */
  public record Request(UUID uuid, String hostname, HardwareProfile profile, Map<String, Object> traits) {
    public Request(UUID uuid, String hostname, HardwareProfile profile) {
      this(uuid, hostname, profile, null);
    }

    public static Request random(HardwareProfile profile) {
      return new Request(null, null, profile);
    }
  }

  public ServerDirectory create(Request req) throws IOException {
    UUID uuid = req.uuid() != null ? req.uuid() : UUID.randomUUID();
    ServerDirectory target = root.directoryOf(uuid);
    if (Files.exists(target.dir())) {
      throw new IllegalArgumentException("server " + uuid + " already exists in " + root.serversDir());
    }
    // Both MACs are checked in NAPI (as the reference does); only the admin NIC is registered.
    String adminMac = freshMac(null);
    String spareMac = freshMac(adminMac);
    Map<String, Object> adminNic = napi.createAdminNic(adminMac, adminUuid);
    String adminIp = (String) adminNic.get("ip");
    try {
      Map<String, Object> sysinfo = Sysinfo.build(new Sysinfo.Identity(uuid,
          req.hostname() != null ? req.hostname() : Sysinfo.defaultHostname(uuid),
          datacenter, adminIp, adminMac, spareMac, liveImage, clock.instant(), req.profile()), random);
      Path staging = root.stagingDir().resolve(uuid.toString());
      FileTrees.deleteTree(staging);
      ServerDirectory staged = new ServerDirectory(uuid, staging);
      Files.createDirectories(staged.vmsDir());
      StandardAgents.install(staged.agentsDir());
      staged.writeSysinfo(sysinfo, 4);
      if (req.traits() != null) {
        staged.writeTraits(req.traits());
      }
      Files.createDirectories(root.serversDir());
      Files.move(staging, target.dir(), StandardCopyOption.ATOMIC_MOVE);
      adoptAgents(target);
      return target;
    } catch (IOException | RuntimeException e) {
      FileTrees.deleteTree(root.stagingDir().resolve(uuid.toString()));
      releaseNic(adminMac);
      throw e;
    }
  }

  /**
   * SAPI adoption of every agent: a service SAPI lacks is skipped, as the installs skip it; a
   * failure is one warning (the CN exists; its config-agent then reports the instance missing).
   */
  private void adoptAgents(ServerDirectory d) {
    if (sapi == null) {
      return;
    }
    for (StandardAgents.Agent a : StandardAgents.AGENTS) {
      try {
        String instance = Files.readString(d.agentsDir().resolve(a.name()).resolve("instance_uuid")).strip();
        SapiAgentInstances.adopt(sapi, a.name(), false, instance, d.uuid().toString(), a.imageUuid());
      } catch (IOException | RuntimeException e) {
        LOG.warn("server {}: {} not adopted into SAPI: {}", d.uuid(), a.name(), e.getMessage());
      }
    }
  }

  /** A MAC NAPI has never seen; the reference gave up on the first clash, we retry. */
  private String freshMac(String taken) throws IOException {
    for (int i = 0; i < MAC_TRIES; i++) {
      String mac = Sysinfo.randomMac(random);
      if (!mac.equals(taken) && napi.getNic(mac).isEmpty()) {
        return mac;
      }
      LOG.warn("MAC {} already exists in NAPI, trying another", mac);
    }
    throw new IOException("NAPI already has every MAC tried (" + MAC_TRIES + " tries)");
  }

  private void releaseNic(String mac) {
    try {
      napi.deleteNic(mac);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not release admin NIC {} in NAPI after a failed create: {}", mac, e.getMessage());
    }
  }

  /** Validates a user-given server UUID before it becomes part of a path. */
  public static UUID parseUuid(String s) {
    if (!Uuids.isUuid(s)) {
      throw new IllegalArgumentException("not a server UUID: \"" + s + "\"");
    }
    return UUID.fromString(s);
  }
}
