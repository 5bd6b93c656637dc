package com.joyent.mockcloud.fleet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.joyent.mockcloud.cnagent.CnAgentOptions;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.config.Settings;
import com.joyent.mockcloud.config.SettingsLoader;
import com.joyent.mockcloud.config.ZoneMetadata;
import com.joyent.mockcloud.server.HardwareProfile;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.ServerRoot;
import com.joyent.mockcloud.server.StandardAgents;
import com.joyent.mockcloud.server.Sysinfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-servers --port-base: a port something else holds is skipped, the CN listens on a later one. */
class FleetPortBaseTest {
  @TempDir Path tmp;

  @Test
  void aTakenPortAtTheBase_isSkipped() throws Exception {
    WireMockServer cnapi = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    cnapi.start();
    cnapi.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(204)));
    ServerRoot root = new ServerRoot(tmp.resolve("mc"));
    UUID uuid = UUID.randomUUID();
    ServerDirectory d = root.directoryOf(uuid);
    Files.createDirectories(d.vmsDir());
    StandardAgents.install(d.agentsDir());
    d.writeSysinfo(Sysinfo.build(new Sysinfo.Identity(uuid, Sysinfo.defaultHostname(uuid), "coal", "10.99.99.9",
        "00:10:fe:00:00:01", "00:10:fe:00:00:02", "20190718T003512Z", Instant.now(), HardwareProfile.SMALL),
        new Random()), 4);
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.ROOT, root.root().toString());
    flags.put(Setting.CNAPI_URL, cnapi.baseUrl());
    flags.put(Setting.VMAPI_URL, cnapi.baseUrl());
    Settings settings = new SettingsLoader(flags, Map.of(), null, ZoneMetadata.NONE).load();
    // The base is a port the OS chose for a socket this test keeps open.
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int base = holder.getLocalPort();
      DaemonOptions options = new DaemonOptions(0, 0, base, CnAgentOptions.defaults().withTmpDir(tmp.resolve("vartmp")),
          DaemonOptions.NO_CONTROL_PORT);
      try (Daemon daemon = new Daemon(settings, options).start()) {
        assertThat(daemon.fleet().running()).containsKey(uuid);
        assertThat(daemon.fleet().running().get(uuid).cnAgent().port()).isGreaterThan(base);
      }
    } finally {
      cnapi.stop();
    }
  }
}
