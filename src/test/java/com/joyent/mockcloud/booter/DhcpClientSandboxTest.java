package com.joyent.mockcloud.booter;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.util.Ipv4;
import com.joyent.mockcloud.util.NamedThreads;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mock CN's DHCP client against the sandbox's booter, over loopback UDP: the boot's two
 * exchanges, renewal, a NAK when NAPI moved the address, a silent server, and packets that
 * must be dropped. Timings are shrunk (100 ms retransmissions, leases of seconds).
 */
class DhcpClientSandboxTest {
  private static final DhcpTiming FAST = new DhcpTiming(Duration.ofMillis(100), Duration.ofMillis(400),
      Duration.ZERO, Duration.ofMillis(100), 3, Duration.ZERO, Duration.ZERO, 1000);
  private static final String MAC = "00:10:fe:aa:00:01";
  private final UUID cn = UUID.fromString("564d0a1e-8b1a-4c7e-9a39-2a1f0c2b9d01");
  private Sandbox sb;
  private NioEventLoopGroup loop;
  private ExecutorService callbacks;
  private DhcpClients clients;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    sb = Sandbox.start();
    loop = new NioEventLoopGroup(1, new NamedThreads("dhcp"));
    callbacks = Executors.newSingleThreadExecutor();
    clients = DhcpClients.open(loop, new InetSocketAddress("127.0.0.1", 0), sb.booter().address(), FAST, callbacks);
  }

  @AfterEach
  void tearDown() {
    clients.close();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    callbacks.shutdownNow();
    sb.close();
  }

  private DhcpClient client() {
    return clients.client(cn, MAC, new LeaseListener() {
      @Override
      public void booted(DhcpLease l) {
        events.add("booted " + l.ip() + " " + l.bootFile());
      }

      @Override
      public void bound(DhcpLease l, boolean changed) {
        events.add("bound " + l.ip() + (changed ? " changed" : " same"));
      }

      @Override
      public void lost(String why) {
        events.add("lost " + why);
      }
    });
  }

  private String next() throws InterruptedException {
    String e = events.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("a lease event within 10 s").isNotNull();
    return e;
  }

  @Test
  void aBoot_isIpxesExchangeThenTheOses_andTheAddressIsTheNicBooterProvisioned() throws Exception {
    DhcpClient c = client();
    c.start();
    Map<String, Object> nicSeen;
    String booted = next();
    nicSeen = sb.napi().nics().find(MAC);
    assertThat(nicSeen).containsEntry("belongs_to_type", "other").containsEntry("belongs_to_uuid", sb.adminUuid())
        .containsEntry("owner_uuid", sb.adminUuid()).containsEntry("nic_tag", "admin");
    String ip = (String) nicSeen.get("ip");
    assertThat(booted).isEqualTo("booted " + ip + " boot.ipxe.010010FEAA0001");
    assertThat(next()).isEqualTo("bound " + ip + " changed");
    assertThat(c.state()).isEqualTo(DhcpClient.State.BOUND);
    assertThat(c.lease().netmaskText()).isEqualTo(nicSeen.get("netmask"));
    assertThat(c.lease().leaseSeconds()).isEqualTo(2_592_000);
    assertThat(c.lease().renewSeconds()).isEqualTo(1_296_000); // booter sends no T1: half the lease
    assertThat(c.lease().serverId()).isEqualTo(Ipv4.parse("127.0.0.1"));
    DhcpClients.Stats s = clients.stats();
    assertThat(s.sent(DhcpMessageType.DISCOVER)).isEqualTo(2);
    assertThat(s.sent(DhcpMessageType.REQUEST)).isEqualTo(2);
    assertThat(sb.booter().answered(DhcpMessageType.OFFER)).isEqualTo(2);
    assertThat(sb.booter().answered(DhcpMessageType.ACK)).isEqualTo(2);
    assertThat(s.leases()).isEqualTo(1);
    assertThat(sb.napi().nics().size()).isEqualTo(1); // the OS's exchange found the NIC booter made
  }

  @Test
  void aBoundClient_renewsAtT1_andKeepsItsAddress() throws Exception {
    sb.booter().leaseSeconds(2);
    client().start();
    next();
    String bound = next();
    long requests = clients.stats().sent(DhcpMessageType.REQUEST);
    assertThat(next()).isEqualTo(bound.replace(" changed", " same")); // T1 = 1 s
    assertThat(next()).isEqualTo(bound.replace(" changed", " same"));
    assertThat(clients.stats().sent(DhcpMessageType.REQUEST)).isGreaterThanOrEqualTo(requests + 2);
    assertThat(clients.stats().sent(DhcpMessageType.DISCOVER)).isEqualTo(2);
  }

  @Test
  void whenNapiMovesTheAddress_theRenewalIsNaked_andTheClientDiscoversTheNewOne() throws Exception {
    sb.booter().leaseSeconds(2);
    DhcpClient c = client();
    c.start();
    next();
    String first = (String) sb.napi().nics().find(MAC).get("ip");
    assertThat(next()).isEqualTo("bound " + first + " changed");
    String moved = Ipv4.format(Ipv4.parse(first) + 100);
    sb.napi().nics().update(MAC, Map.of("ip", moved), null);
    assertThat(next()).startsWith("lost the server refused the renewal (NAK: " + first + " is not " + MAC);
    assertThat(next()).isEqualTo("bound " + moved + " changed");
    assertThat(sb.booter().answered(DhcpMessageType.NAK)).isEqualTo(1);
    assertThat(c.lease().ip()).isEqualTo(moved);
  }

  @Test
  void aSilentServer_getsRetransmissionsWithBackoff_andTheClientBindsWhenItAnswers() throws Exception {
    sb.booter().silent(true);
    DhcpClient c = client();
    c.start();
    Thread.sleep(1500); // 100 + 200 + 400 ms per exchange, then a longer wait and again
    long discovers = clients.stats().sent(DhcpMessageType.DISCOVER);
    assertThat(discovers).isBetween(4L, 9L); // doubling waits: far fewer than one per 100 ms
    assertThat(c.lease()).isNull();
    assertThat(events).isEmpty();
    sb.booter().silent(false);
    assertThat(next()).startsWith("booted ");
    assertThat(next()).startsWith("bound ");
  }

  @Test
  void aLeaseThatCannotBeRenewed_rebindsThenRunsOut_andIsFoundAgainLater() throws Exception {
    sb.booter().leaseSeconds(2);
    DhcpClient c = client();
    c.start();
    next();
    String bound = next();
    sb.booter().silent(true);
    assertThat(next()).startsWith("lost the lease of ").endsWith(" ran out");
    assertThat(c.lease()).isNull();
    sb.booter().silent(false);
    assertThat(next()).isEqualTo(bound); // same address, and "changed": it held none
  }

  @Test
  void badPackets_areDroppedAndCounted_andTheClientCarriesOn() throws Exception {
    sb.booter().silent(true);
    DhcpClient c = client();
    c.start();
    try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      InetSocketAddress to = clients.localAddress();
      send(s, to, new byte[100]); // truncated
      byte[] badCookie = reply(1234, DhcpMessageType.OFFER).encode();
      badCookie[236] = 0;
      send(s, to, badCookie);
      byte[] overflow = reply(1234, DhcpMessageType.OFFER).encode();
      overflow[241] = (byte) 250; // option 53's length runs past the packet's end (300 bytes)
      send(s, to, overflow);
      send(s, to, reply(1234, DhcpMessageType.OFFER).encode()); // an xid nobody uses
    }
    awaitStats(st -> st.droppedTotal() == 3 && st.notOurs() == 1);
    DhcpClients.Stats st = clients.stats();
    assertThat(st.dropped()).containsEntry(DhcpPacket.Problem.TRUNCATED, 1L)
        .containsEntry(DhcpPacket.Problem.BAD_COOKIE, 1L).containsEntry(DhcpPacket.Problem.OPTION_OVERFLOW, 1L);
    sb.booter().silent(false);
    assertThat(next()).startsWith("booted ");
    assertThat(next()).startsWith("bound ");
  }

  private static DhcpPacket reply(long xid, DhcpMessageType type) {
    DhcpOptions o = new DhcpOptions().putByte(DhcpOptions.MESSAGE_TYPE, type.code());
    return new DhcpPacket(DhcpPacket.BOOTREPLY, xid, 0, false, 0, Ipv4.parse("10.99.0.50"), 0, 0,
        DhcpPacket.parseMac(MAC), null, null, o);
  }

  private static void send(DatagramSocket s, InetSocketAddress to, byte[] b) throws Exception {
    s.send(new DatagramPacket(b, b.length, to));
  }

  private void awaitStats(java.util.function.Predicate<DhcpClients.Stats> p) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!p.test(clients.stats()) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(p.test(clients.stats())).as(clients.stats().toString()).isTrue();
  }
}
