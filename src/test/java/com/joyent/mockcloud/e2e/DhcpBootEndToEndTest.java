package com.joyent.mockcloud.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.booter.DhcpClient;
import com.joyent.mockcloud.booter.DhcpMessageType;
import com.joyent.mockcloud.booter.DhcpTiming;
import com.joyent.mockcloud.config.Setting;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.testing.Await;
import com.joyent.mockcloud.util.Ipv4;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-servers with {@code --admin-ip-source dhcp} against the sandbox's booter: CNs boot through
 * DHCP before they register, take their boot parameters from CNAPI, follow a lease that moves,
 * wait out a silent booter, and boot through DHCP again when rebooted.
 */
class DhcpBootEndToEndTest {
  private static final DhcpTiming FAST = new DhcpTiming(Duration.ofMillis(100), Duration.ofMillis(400),
      Duration.ZERO, Duration.ofMillis(100), 3, Duration.ofMillis(200), Duration.ZERO, 500);
  @TempDir Path tmp;
  private SandboxFleet fleet;
  private final List<UUID> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    fleet = new SandboxFleet(tmp, sb -> {
      InetSocketAddress booter = sb.booter().address();
      return Map.of(Setting.ADMIN_IP_SOURCE, "dhcp",
          Setting.DHCP_SERVER, booter.getAddress().getHostAddress() + ":" + booter.getPort(),
          Setting.DHCP_BIND, "127.0.0.1:0");
    });
    fleet.dhcpTiming = FAST;
    for (int i = 0; i < 3; i++) {
      servers.add(fleet.createServer());
    }
  }

  @AfterEach
  void tearDown() {
    fleet.close();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> sysinfo(UUID cn) {
    try {
      return Json.parseObject(Files.readAllBytes(tmp.resolve("servers").resolve(cn.toString()).resolve("sysinfo.json")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static String adminMac(Map<String, Object> sysinfo) {
    return ((Map<String, Map<String, Object>>) sysinfo.get("Network Interfaces")).values().stream()
        .filter(n -> ((List<?>) n.get("NIC Names")).contains("admin")).map(n -> (String) n.get("MAC Address"))
        .findFirst().orElseThrow();
  }

  private String registeredAdminIp(UUID cn) {
    Map<String, Object> si = fleet.sandbox.cnapi().servers().sysinfo(cn.toString());
    return si == null ? null : (String) si.get("Admin IP");
  }

  @Test
  void everyCn_bootsThroughDhcp_andRegistersWithTheLeasedAddressAndItsBootParameters() throws Exception {
    fleet.start();
    for (UUID cn : servers) {
      String mac = adminMac(sysinfo(cn));
      String napiIp = (String) fleet.sandbox.napi().nics().find(mac).get("ip");
      Await.require(Duration.ofSeconds(20), () -> napiIp.equals(registeredAdminIp(cn)), "CNAPI's sysinfo of " + cn);
      Map<String, Object> si = sysinfo(cn);
      @SuppressWarnings("unchecked")
      Map<String, Object> boot = (Map<String, Object>) si.get("Boot Parameters");
      // CNAPI did not know the CN at its first boot: booter's fallback, /boot/default
      assertThat(boot).containsEntry("rabbitmq", "guest:guest:127.0.0.1:5672").containsEntry("console", "ttyb");
      DhcpClient c = fleet.daemon().fleet().dhcpClient(cn);
      assertThat(c.state()).isEqualTo(DhcpClient.State.BOUND);
      assertThat(c.lease().ip()).isEqualTo(napiIp);
    }
    // two exchanges a boot (iPXE's, the OS's), each an OFFER and an ACK
    assertThat(fleet.sandbox.booter().answered(DhcpMessageType.OFFER)).isEqualTo(6);
    assertThat(fleet.sandbox.booter().answered(DhcpMessageType.ACK)).isEqualTo(6);
    assertThat(fleet.daemon().fleet().dhcpStats().leases()).isEqualTo(3);
  }

  @Test
  void aLeaseThatMoves_reachesCnapisSysinfo() throws Exception {
    fleet.sandbox.booter().leaseSeconds(2);
    fleet.start();
    UUID cn = servers.get(0);
    String mac = adminMac(sysinfo(cn));
    String first = (String) fleet.sandbox.napi().nics().find(mac).get("ip");
    Await.require(Duration.ofSeconds(20), () -> first.equals(registeredAdminIp(cn)), "the first registration");
    String moved = Ipv4.format(Ipv4.parse(first) + 200);
    fleet.sandbox.napi().nics().update(mac, Map.of("ip", moved), null);
    Await.require(Duration.ofSeconds(20), () -> moved.equals(registeredAdminIp(cn)),
        "CNAPI's sysinfo with the new address");
    assertThat(sysinfo(cn)).containsEntry("Admin IP", moved);
    assertThat(fleet.sandbox.booter().answered(DhcpMessageType.NAK)).isEqualTo(1);
  }

  @Test
  void aSilentBooter_keepsCnsFromRegistering_untilItAnswers() throws Exception {
    fleet.sandbox.booter().silent(true);
    fleet.start(); // returns: CNs wait for their leases on their own
    Thread.sleep(1500);
    for (UUID cn : servers) {
      assertThat(fleet.sandbox.cnapi().servers().sysinfo(cn.toString())).isNull();
      assertThat(fleet.daemon().fleet().running()).doesNotContainKey(cn);
    }
    assertThat(fleet.daemon().fleet().dhcpStats().sent(DhcpMessageType.DISCOVER)).isGreaterThanOrEqualTo(9);
    fleet.sandbox.booter().silent(false);
    for (UUID cn : servers) {
      Await.require(Duration.ofSeconds(20), () -> registeredAdminIp(cn) != null, "the registration of " + cn);
    }
  }

  @Test
  void aRebootedCn_bootsThroughDhcpAgain_withCnapisBootParameters() throws Exception {
    fleet.start();
    UUID cn = servers.get(0);
    for (UUID s : servers) { // all booted, so the OFFERs counted next are the reboot's alone
      Await.require(Duration.ofSeconds(20), () -> registeredAdminIp(s) != null, "the registration of " + s);
    }
    fleet.sandbox.cnapi().servers().update(cn.toString(), Map.of("boot_params", Map.of("smt_enabled", "false")));
    long offers = fleet.sandbox.booter().answered(DhcpMessageType.OFFER);
    Object bootTime = sysinfo(cn).get("Boot Time");
    fleet.daemon().fleet().actions().reboot(cn, Duration.ofMillis(200));
    Await.require(Duration.ofSeconds(20), () -> fleet.daemon().fleet().running().containsKey(cn)
        && !bootTime.equals(sysinfo(cn).get("Boot Time")), "the CN up again");
    assertThat(fleet.sandbox.booter().answered(DhcpMessageType.OFFER)).isEqualTo(offers + 2);
    @SuppressWarnings("unchecked")
    Map<String, Object> boot = (Map<String, Object>) sysinfo(cn).get("Boot Parameters");
    assertThat(boot).containsEntry("smt_enabled", "false").containsEntry("hostname", sysinfo(cn).get("Hostname"));
  }

  @Test
  void aCnWaitingForItsLease_canBePoweredOff_andBootsWhenPoweredOn() throws Exception {
    fleet.sandbox.booter().silent(true);
    fleet.start();
    UUID cn = servers.get(0);
    var actions = fleet.daemon().fleet().actions();
    Await.require(Duration.ofSeconds(10), () -> "booting".equals(actions.stateOf(cn)), "the CN booting");
    actions.powerOff(cn);
    assertThat(actions.stateOf(cn)).isEqualTo("powered_off");
    fleet.sandbox.booter().silent(false);
    for (UUID other : servers.subList(1, 3)) {
      Await.require(Duration.ofSeconds(20), () -> registeredAdminIp(other) != null, "the registration of " + other);
    }
    assertThat(registeredAdminIp(cn)).isNull(); // off: it asked no more
    actions.powerOn(cn);
    Await.require(Duration.ofSeconds(20), () -> registeredAdminIp(cn) != null, "the registration after power-on");
    assertThat(actions.stateOf(cn)).isEqualTo("running");
  }
}
