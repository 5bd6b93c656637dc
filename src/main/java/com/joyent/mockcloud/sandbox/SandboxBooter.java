package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.booter.DhcpMessageType;
import com.joyent.mockcloud.booter.DhcpOptions;
import com.joyent.mockcloud.booter.DhcpPacket;
import com.joyent.mockcloud.http.RestError;
import com.joyent.mockcloud.util.Ipv4;
import com.joyent.mockcloud.util.NamedThreads;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's booter: a DHCP server on a loopback UDP port that answers as sdc-booter does.
 * A DISCOVER from a class it serves ({@code PXEClient…} or {@code SUNW…}, option 60) looks the MAC
 * up in NAPI, provisions an admin-network NIC owned by the admin user ({@code belongs_to_type
 * other}) for a MAC NAPI does not know, remembers the answer per MAC (booter's cache file) and
 * OFFERs the NIC's address; a REQUEST is ACKed from what was remembered. Replies carry options 1,
 * 3 (with a gateway), 6 (with resolvers), 51, 53 and 54 in ascending order, {@code siaddr} and a
 * boot file chosen as booter chooses it. Replies go to the sender's address (the sandbox is on
 * loopback; booter broadcasts to port 68).
 *
 * <p>One departure, written in docs/booter.md: a REQUEST for an address that is no longer the
 * MAC's NIC address in NAPI gets a NAK, as RFC 2131 servers answer; booter never NAKs (it would
 * ACK the new address, which mock clients also take). Thread-safe: NAPI's store has its own lock,
 * the rest is confined to the one event loop or concurrent.
 */
public final class SandboxBooter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxBooter.class);
  /** What Triton's headnode setup writes for SAPI's dhcp_lease_time: 30 days. */
  public static final long DEFAULT_LEASE_SECONDS = 2_592_000;

  private final NicStore nics;
  private final String adminUuid;
  private final NioEventLoopGroup group = new NioEventLoopGroup(1, new NamedThreads("sandbox-booter"));
  private final Channel channel;
  private final long serverIp;
  private final Map<String, Map<String, Object>> cache = new ConcurrentHashMap<>();
  private volatile long leaseSeconds = DEFAULT_LEASE_SECONDS;
  private volatile boolean silent;
  private final Map<DhcpMessageType, LongAdder> answered = new EnumMap<>(DhcpMessageType.class);
  private final LongAdder dropped = new LongAdder();

  SandboxBooter(String bindHost, NicStore nics, String adminUuid) {
    this.nics = nics;
    this.adminUuid = adminUuid;
    for (DhcpMessageType t : DhcpMessageType.values()) {
      answered.put(t, new LongAdder());
    }
    Bootstrap b = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        // a boot storm arrives faster than one thread answers: let the kernel hold a burst (it caps at rmem_max)
        .option(io.netty.channel.ChannelOption.SO_RCVBUF, 4 << 20)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            byte[] bytes = new byte[msg.content().readableBytes()];
            msg.content().getBytes(msg.content().readerIndex(), bytes);
            handle(bytes, msg.sender());
          }
        });
    this.channel = b.bind(new InetSocketAddress(bindHost, 0)).syncUninterruptibly().channel();
    this.serverIp = Ipv4.parse(((InetSocketAddress) channel.localAddress()).getAddress().getHostAddress());
  }

  /** Where the CNs send: {@code 127.0.0.1:<port>}. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Option 51 of later answers (SAPI's dhcp_lease_time on a real booter). */
  public void leaseSeconds(long seconds) {
    if (seconds <= 0) {
      throw new IllegalArgumentException("a lease must last at least a second");
    }
    this.leaseSeconds = seconds;
  }

  /** While silent, every packet is read and dropped: a booter zone that is down. */
  public void silent(boolean silent) {
    this.silent = silent;
  }

  /** How many answers of {@code type} (OFFER, ACK, NAK) went out. */
  public long answered(DhcpMessageType type) {
    return answered.get(type).sum();
  }

  /** Forgets every remembered answer, as booter's cache purge does: a REQUEST then gets no answer until a DISCOVER. */
  public void purgeCache() {
    cache.clear();
  }

  /** Packets dropped: malformed, a class booter does not serve, a REQUEST it has no answer for. */
  public long dropped() {
    return dropped.sum();
  }

  private void handle(byte[] bytes, InetSocketAddress sender) {
    if (silent) {
      return;
    }
    DhcpPacket req;
    try {
      req = DhcpPacket.decode(bytes);
    } catch (DhcpPacket.MalformedException e) {
      dropped.increment();
      return;
    }
    String cls = req.options().string(DhcpOptions.VENDOR_CLASS);
    if (req.op() != DhcpPacket.BOOTREQUEST || cls == null || !(cls.startsWith("PXEClient") || cls.startsWith("SUNW"))) {
      dropped.increment();
      return;
    }
    try {
      DhcpPacket reply = switch (req.type()) {
        case DISCOVER -> offer(req);
        case REQUEST -> ack(req);
        default -> null; // booter answers only DISCOVER and REQUEST
      };
      if (reply == null) {
        dropped.increment();
        return;
      }
      answered.get(reply.type()).increment();
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply.encode()), sender));
    } catch (RestError e) {
      // booter: any pipeline error means no reply
      dropped.increment();
      LOG.warn("booter: no answer for {}: {}", req.mac(), e.getMessage());
    }
  }

  private DhcpPacket offer(DhcpPacket req) {
    String mac = req.mac();
    Map<String, Object> nic = nics.find(mac);
    if (nic == null) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("owner_uuid", adminUuid);
      body.put("belongs_to_uuid", adminUuid);
      body.put("belongs_to_type", "other");
      body.put("mac", mac);
      body.put("nic_tags_provided", List.of("admin"));
      body.put("nic_tag", "admin");
      nic = nics.create(body, "admin");
    } else if (!(nic.get("ip") instanceof String)) {
      nic = nics.update(mac, Map.of("network_uuid", "admin", "nic_tag", "admin"), null);
    }
    cache.put(mac, remembered(nic));
    return reply(req, DhcpMessageType.OFFER, nic);
  }

  private DhcpPacket ack(DhcpPacket req) {
    String mac = req.mac();
    Map<String, Object> cached = cache.get(mac);
    if (cached == null) {
      return null; // booter logs "no cache file" and sends nothing
    }
    Map<String, Object> now = nics.find(mac);
    if (now != null && now.get("ip") instanceof String) {
      cached = remembered(now); // what booter's cache refresh would have written by now
      cache.put(mac, cached);
    }
    long asked = req.options().has(DhcpOptions.REQUESTED_IP) ? req.options().ip(DhcpOptions.REQUESTED_IP) : req.ciaddr();
    Long held = Ipv4.parse((String) cached.get("ip"));
    if (asked > 0 && held != null && asked != held) {
      return nak(req, Ipv4.format(asked) + " is not " + mac + "'s address");
    }
    return reply(req, DhcpMessageType.ACK, cached);
  }

  /** What booter's cache file keeps of a NIC: its address, netmask, gateway and resolvers. */
  private static Map<String, Object> remembered(Map<String, Object> nic) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String k : List.of("ip", "netmask", "gateway", "resolvers")) {
      if (nic.get(k) != null) {
        m.put(k, nic.get(k));
      }
    }
    return m;
  }

  private DhcpPacket reply(DhcpPacket req, DhcpMessageType type, Map<String, Object> nic) {
    DhcpOptions o = new DhcpOptions();
    if (nic.get("netmask") instanceof String mask) {
      o.putIps(DhcpOptions.SUBNET_MASK, Ipv4.parse(mask));
    }
    if (nic.get("gateway") instanceof String gw && Ipv4.parse(gw) != null) {
      o.putIps(DhcpOptions.ROUTER, Ipv4.parse(gw));
    }
    List<Long> dns = new ArrayList<>();
    if (nic.get("resolvers") instanceof List<?> rs) {
      for (Object r : rs) {
        Long v = r instanceof String s ? Ipv4.parse(s) : null;
        if (v != null) {
          dns.add(v);
        }
      }
    }
    if (!dns.isEmpty()) {
      o.putIps(DhcpOptions.DNS_SERVERS, dns.stream().mapToLong(Long::longValue).toArray());
    }
    o.putInt(DhcpOptions.LEASE_TIME, leaseSeconds);
    o.putByte(DhcpOptions.MESSAGE_TYPE, type.code());
    o.putIps(DhcpOptions.SERVER_ID, serverIp);
    long yiaddr = Ipv4.parse((String) nic.get("ip"));
    return new DhcpPacket(DhcpPacket.BOOTREPLY, req.xid(), 0, req.broadcast(), req.ciaddr(), yiaddr, serverIp,
        req.giaddr(), req.chaddr(), req.sname(), bootFile(req), o);
  }

  private DhcpPacket nak(DhcpPacket req, String why) {
    DhcpOptions o = new DhcpOptions();
    o.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessageType.NAK.code());
    o.putIps(DhcpOptions.SERVER_ID, serverIp);
    o.putString(DhcpOptions.MESSAGE, why);
    return new DhcpPacket(DhcpPacket.BOOTREPLY, req.xid(), 0, req.broadcast(), 0, 0, 0, req.giaddr(), req.chaddr(),
        null, null, o);
  }

  /** Booter's choice: iPXE gets its per-MAC script, an EFI x86-64 ROM snponly.efi, anything else undionly.kpxe. */
  static String bootFile(DhcpPacket req) {
    if ("iPXE".equals(req.options().string(DhcpOptions.USER_CLASS))) {
      return "boot.ipxe.01" + req.mac().replace(":", "").toUpperCase(Locale.ROOT);
    }
    return req.options().shortValue(DhcpOptions.CLIENT_ARCH) == 7 ? "snponly.efi" : "undionly.kpxe";
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
