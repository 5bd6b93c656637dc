package com.joyent.mockcloud.bench;

import com.joyent.mockcloud.booter.DhcpClient;
import com.joyent.mockcloud.booter.DhcpClients;
import com.joyent.mockcloud.booter.DhcpLease;
import com.joyent.mockcloud.booter.DhcpMessageType;
import com.joyent.mockcloud.booter.DhcpTiming;
import com.joyent.mockcloud.booter.LeaseListener;
import com.joyent.mockcloud.sandbox.NicStore;
import com.joyent.mockcloud.sandbox.Sandbox;
import com.joyent.mockcloud.sandbox.SandboxOptions;
import com.joyent.mockcloud.util.NamedThreads;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench dhcp}: a boot storm (docs/benchmark.md "DHCP boot storm"). N mock CNs' DHCP
 * clients (the ones run-servers uses, on one socket and one Netty thread) boot at once against
 * the sandbox's booter over loopback UDP: iPXE's exchange and the OS's for each, at most
 * {@code rate} messages a second, RFC 2131's retransmission waits. It prints how long until
 * every CN held its OS lease, leases per second, what was sent, retransmitted and dropped, and
 * the heap each client holds. Known MACs (a datacenter whose power came back: NAPI has every
 * admin NIC) or unknown ones (new CNs: booter provisions each NIC).
 */
public final class DhcpBench {
  private DhcpBench() {}

  public static Map<String, Object> run(int servers, double rate, Duration spread, boolean newCns, PrintWriter out)
      throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("servers", servers);
    r.put("rate", rate);
    r.put("spread_s", spread.toMillis() / 1000.0);
    r.put("new_cns", newCns);
    NioEventLoopGroup loop = new NioEventLoopGroup(1, NamedThreads.bench("dhcp"));
    ExecutorService events = Executors.newFixedThreadPool(2, NamedThreads.bench("dhcp-events"));
    try (Sandbox sb = Sandbox.start(SandboxOptions.defaults().withAdminSubnet("10.128.0.0/9"))) {
      List<String> macs = new ArrayList<>(servers);
      for (int i = 0; i < servers; i++) {
        macs.add(String.format(Locale.ROOT, "00:10:fe:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff));
      }
      if (!newCns) {
        seedKnownNics(sb, macs);
      }
      DhcpTiming timing = DhcpTiming.standard().withRate(rate).withBootSpread(spread);
      r.put("os_boot_s", timing.osBoot().toMillis() / 1000.0);
      try (DhcpClients clients = DhcpClients.open(loop, new InetSocketAddress("127.0.0.1", 0), sb.booter().address(),
          timing, events)) {
        CountDownLatch all = new CountDownLatch(servers);
        AtomicLong lastBound = new AtomicLong();
        AtomicLong firstBound = new AtomicLong(Long.MAX_VALUE);
        long heap0 = usedHeap();
        List<DhcpClient> list = new ArrayList<>(servers);
        LeaseListener counter = new LeaseListener() {
          @Override
          public void bound(DhcpLease lease, boolean changed) {
            long now = System.nanoTime();
            lastBound.accumulateAndGet(now, Math::max);
            firstBound.accumulateAndGet(now, Math::min);
            all.countDown();
          }
        };
        for (String mac : macs) {
          list.add(clients.client(UUID.randomUUID(), mac, counter));
        }
        out.printf("boot storm: %,d CNs, at most %,.0f DHCP messages/s, first DISCOVERs spread over %.0f s, "
            + "%.0f s of OS boot, %s MACs%n", servers, rate, spread.toMillis() / 1000.0,
            timing.osBoot().toMillis() / 1000.0, newCns ? "new" : "known");
        out.flush();
        long t0 = System.nanoTime();
        list.forEach(DhcpClient::start);
        boolean done = all.await(30, TimeUnit.MINUTES);
        double allBound = (lastBound.get() - t0) / 1e9;
        double osWindow = Math.max(1e-3, (lastBound.get() - firstBound.get()) / 1e9);
        sb.booter().purgeCache(); // the booter's memory is not the clients'
        long heap1 = usedHeap();
        DhcpClients.Stats s = clients.stats();
        r.put("all_bound", done);
        r.put("all_bound_s", round(allBound));
        r.put("leases_per_s", round(servers / osWindow));
        long discovers = s.sent(DhcpMessageType.DISCOVER);
        long requests = s.sent(DhcpMessageType.REQUEST);
        r.put("sent_discover", discovers);
        r.put("sent_request", requests);
        r.put("retransmitted", discovers + requests - 4L * servers);
        r.put("booter_offers", sb.booter().answered(DhcpMessageType.OFFER));
        r.put("booter_acks", sb.booter().answered(DhcpMessageType.ACK));
        r.put("booter_dropped", sb.booter().dropped());
        r.put("client_dropped", s.droppedTotal());
        r.put("client_not_ours", s.notOurs());
        r.put("heap_per_client_bytes", (heap1 - heap0) / servers);
        out.printf("all %,d CNs held their OS lease %.1f s after power-on (%s); OS leases came at %,.0f a second "
            + "(%,d over %.1f s)%n", servers, allBound, done ? "all bound" : "NOT all bound", servers / osWindow,
            servers, osWindow);
        out.printf("sent %,d DISCOVERs and %,d REQUESTs (%,d retransmitted); booter answered %,d OFFERs, %,d ACKs, "
            + "dropped %,d; the clients dropped %,d%n", discovers, requests, discovers + requests - 4L * servers,
            sb.booter().answered(DhcpMessageType.OFFER), sb.booter().answered(DhcpMessageType.ACK),
            sb.booter().dropped(), s.droppedTotal());
        out.printf("heap held by the clients and their leases (the booter's cache purged first): %,d bytes per CN%n",
            (heap1 - heap0) / servers);
        out.flush();
        list.forEach(DhcpClient::stop);
      }
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      events.shutdownNow();
    }
    return r;
  }

  /** Every MAC's admin NIC in NAPI, as a set-up CN's: the power-restored datacenter. */
  private static void seedKnownNics(Sandbox sb, List<String> macs) {
    NicStore nics = sb.napi().nics();
    for (String mac : macs) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("mac", mac);
      p.put("belongs_to_type", "server");
      p.put("belongs_to_uuid", UUID.randomUUID().toString());
      p.put("owner_uuid", sb.adminUuid());
      p.put("nic_tags_provided", List.of("admin"));
      p.put("nic_tag", "admin");
      nics.create(p, "admin");
    }
  }

  /** Heap in use after a full collection (System.gc twice: the figure is a difference of two). */
  private static long usedHeap() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
