package com.joyent.mockcloud.booter;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mock CN's DHCP client on one UDP socket and one Netty event loop: replies are matched to
 * their client by {@code xid}, and every message leaves through one pacer, so a fleet that boots
 * at once sends at most {@link DhcpTiming#rate} messages a second. Clients' state lives on the
 * loop's thread only; listeners are called on the given executor.
 *
 * <p>Requests go to {@code server}: a booter's address in a lab, the admin network's broadcast
 * address in a mockcloud zone, 127.0.0.1 and the sandbox stand-in's port in tests. Renewals go
 * to the lease's server identifier on the same port, as RFC 2131 §4.4.5 says.
 */
public final class DhcpClients implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DhcpClients.class);

  private final EventLoop loop;
  private final Channel channel;
  private final InetSocketAddress server;
  private final DhcpTiming timing;
  private final Executor callbacks;
  private final Map<Long, DhcpClient> byXid = new HashMap<>(); // loop thread only
  private long nextSlotNanos; // loop thread only
  private final Map<DhcpMessageType, LongAdder> sent = counters();
  private final Map<DhcpMessageType, LongAdder> received = counters();
  private final Map<DhcpPacket.Problem, LongAdder> dropped = new EnumMap<>(DhcpPacket.Problem.class);
  private final LongAdder notOurs = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final LongAdder leases = new LongAdder();

  private DhcpClients(EventLoop loop, Channel channel, InetSocketAddress server, DhcpTiming timing,
      Executor callbacks) {
    this.loop = loop;
    this.channel = channel;
    this.server = server;
    this.timing = timing;
    this.callbacks = callbacks;
    for (DhcpPacket.Problem p : DhcpPacket.Problem.values()) {
      dropped.put(p, new LongAdder());
    }
  }

  /**
   * Binds the clients' socket (port 68 on the admin interface for a real booter, port 0 in tests).
   *
   * @param server where DISCOVERs and rebinding REQUESTs go
   */
  public static DhcpClients open(EventLoopGroup group, InetSocketAddress bind, InetSocketAddress server,
      DhcpTiming timing, Executor callbacks) throws IOException {
    EventLoop loop = group.next();
    DhcpClients[] self = new DhcpClients[1];
    Bootstrap b = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
        .option(ChannelOption.SO_BROADCAST, true)
        // a boot storm's answers arrive in bursts: let the kernel hold them (it caps at rmem_max)
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            self[0].receive(msg.content());
          }
        });
    try {
      Channel ch = b.bind(bind).syncUninterruptibly().channel();
      self[0] = new DhcpClients(loop, ch, server, timing, callbacks);
      return self[0];
    } catch (RuntimeException e) {
      throw new IOException("cannot bind the DHCP clients' socket to " + bind + ": " + e.getMessage(), e);
    }
  }

  /** A client for the CN {@code cn} whose admin NIC has {@code mac}; it does nothing until {@link DhcpClient#start}. */
  public DhcpClient client(UUID cn, String mac, LeaseListener listener) {
    return new DhcpClient(this, cn, DhcpPacket.parseMac(mac), listener);
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  public InetSocketAddress server() {
    return server;
  }

  DhcpTiming timing() {
    return timing;
  }

  EventLoop loop() {
    return loop;
  }

  void callback(Runnable r) {
    callback(r, null);
  }

  /** Runs {@code r} on the executor, then {@code then} (if any) back on the loop. */
  void callback(Runnable r, Runnable then) {
    callbacks.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a DHCP lease listener failed: {}", e.toString());
      }
      if (then != null) {
        loop.execute(then);
      }
    });
  }

  /** A fresh xid for {@code client}, registered for its replies (loop thread). */
  long register(DhcpClient client, long oldXid) {
    byXid.remove(oldXid);
    long xid;
    do {
      xid = ThreadLocalRandom.current().nextLong(1, 1L << 32);
    } while (byXid.containsKey(xid));
    byXid.put(xid, client);
    return xid;
  }

  void unregister(long xid) {
    byXid.remove(xid);
  }

  /**
   * Sends {@code p} to {@code to} at the pacer's next free slot (loop thread), unless
   * {@code wanted} says by then that the client moved on; {@code sent} runs once it is out, so a
   * client's retransmission wait starts when its message left, not when it was queued.
   */
  void send(DhcpPacket p, InetSocketAddress to, java.util.function.BooleanSupplier wanted, Runnable afterSent) {
    long now = System.nanoTime();
    long slot = Math.max(now, nextSlotNanos);
    nextSlotNanos = slot + (long) (1e9 / timing.rate());
    Runnable write = () -> {
      if (!wanted.getAsBoolean()) {
        return;
      }
      sent.get(p.type()).increment();
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(p.encode()), to));
      afterSent.run();
    };
    if (slot <= now) {
      write.run();
    } else {
      loop.schedule(write, slot - now, TimeUnit.NANOSECONDS);
    }
  }

  private void receive(ByteBuf content) {
    byte[] bytes = new byte[content.readableBytes()];
    content.getBytes(content.readerIndex(), bytes);
    DhcpPacket p;
    try {
      p = DhcpPacket.decode(bytes);
    } catch (DhcpPacket.MalformedException e) {
      dropped.get(e.problem()).increment();
      LOG.debug("dropped a DHCP packet: {}", e.getMessage());
      return;
    }
    DhcpClient c = p.op() == DhcpPacket.BOOTREPLY ? byXid.get(p.xid()) : null;
    if (c == null || !c.owns(p)) {
      notOurs.increment();
      return;
    }
    received.get(p.type()).increment();
    if (!c.receive(p)) {
      unexpected.increment();
    }
  }

  void leased() {
    leases.increment();
  }

  /** What the clients sent, got and dropped so far. */
  public Stats stats() {
    Map<DhcpPacket.Problem, Long> d = new EnumMap<>(DhcpPacket.Problem.class);
    dropped.forEach((k, v) -> d.put(k, v.sum()));
    return new Stats(sum(sent), sum(received), d, notOurs.sum(), unexpected.sum(), leases.sum());
  }

  /**
   * @param notOurs replies to an xid or MAC no client is waiting on
   * @param unexpected replies a client's state had no use for (an OFFER while bound…)
   * @param leases ACKs that bound an OS lease
   */
  public record Stats(Map<DhcpMessageType, Long> sent, Map<DhcpMessageType, Long> received,
      Map<DhcpPacket.Problem, Long> dropped, long notOurs, long unexpected, long leases) {
    public long sent(DhcpMessageType t) {
      return sent.getOrDefault(t, 0L);
    }

    public long received(DhcpMessageType t) {
      return received.getOrDefault(t, 0L);
    }

    public long droppedTotal() {
      return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Map<DhcpMessageType, LongAdder> counters() {
    Map<DhcpMessageType, LongAdder> m = new EnumMap<>(DhcpMessageType.class);
    for (DhcpMessageType t : DhcpMessageType.values()) {
      m.put(t, new LongAdder());
    }
    return m;
  }

  private static Map<DhcpMessageType, Long> sum(Map<DhcpMessageType, LongAdder> m) {
    Map<DhcpMessageType, Long> out = new EnumMap<>(DhcpMessageType.class);
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
