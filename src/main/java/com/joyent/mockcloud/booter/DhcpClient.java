package com.joyent.mockcloud.booter;

import com.joyent.mockcloud.util.Ipv4;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One mock CN's DHCP client, as RFC 2131's state diagram (§4.4) draws it, for a CN that boots
 * as a Triton CN does: iPXE asks for an address and a boot file (phase PXE), then the booted
 * OS's dhcpagent asks again and keeps that lease (phase OS), renewing at T1 and rebinding at T2.
 * A NAK, a lease run out, or a server that stays silent sends it back to DISCOVER with a wait
 * that doubles up to {@link DhcpTiming#maxRetransmit}. Confined to the event loop of
 * {@link DhcpClients}: public methods hand their work to it.
 */
public final class DhcpClient {
  public enum State { STOPPED, INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING }

  public enum Phase { PXE, OS }

  /** iPXE's vendor class on BIOS (joyent/ipxe include/ipxe/dhcp.h). */
  static final String PXE_CLASS = "PXEClient:Arch:00000:UNDI:002001";
  /** illumos dhcpagent's class: "SUNW." and the platform; booter accepts the SUNW prefix. */
  static final String OS_CLASS = "SUNW.i86pc";
  private static final byte[] PXE_REQUESTS = {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, (byte) 128,
      (byte) 129, (byte) 130, (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135, (byte) 175, (byte) 203};
  private static final byte[] OS_REQUESTS = {1, 3, 6, 12, 15, 28, 43};

  private final DhcpClients clients;
  private final UUID cn;
  private final byte[] mac;
  private final LeaseListener listener;
  // loop thread only:
  private State state = State.STOPPED;
  private Phase phase = Phase.PXE;
  private long xid;
  private int tries;
  private int attempts;
  private long offered;
  private long offerServer;
  private DhcpLease lease;
  private long boundAtNanos;
  private ScheduledFuture<?> timer;
  /** The message waiting at the pacer, or null: an answer or a stop makes it stale. */
  private Object pending;
  /** Counts starts and stops, so a callback of an earlier boot does nothing. */
  private int boots;
  private volatile State published = State.STOPPED;
  private volatile DhcpLease publishedLease;

  DhcpClient(DhcpClients clients, UUID cn, byte[] mac, LeaseListener listener) {
    this.clients = clients;
    this.cn = cn;
    this.mac = mac;
    this.listener = listener;
  }

  /** Boots: iPXE's exchange after a random wait below {@link DhcpTiming#bootSpread}, then the OS's. */
  public void start() {
    clients.loop().execute(() -> {
      cancel();
      boots++;
      phase = Phase.PXE;
      lease = null;
      attempts = 0;
      long spread = clients.timing().bootSpread().toNanos();
      initAfter(spread <= 0 ? 0 : ThreadLocalRandom.current().nextLong(spread));
    });
  }

  /** Stops: no more messages, timers cancelled; a power-off (no RELEASE, as a CN losing power sends none). */
  public void stop() {
    clients.loop().execute(() -> {
      cancel();
      boots++;
      clients.unregister(xid);
      state(State.STOPPED);
    });
  }

  public State state() {
    return published;
  }

  /** The OS lease held, or null. */
  public DhcpLease lease() {
    return publishedLease;
  }

  public String mac() {
    return DhcpPacket.formatMac(mac);
  }

  boolean owns(DhcpPacket p) {
    return Arrays.equals(p.chaddr(), mac);
  }

  // ---- the state machine (loop thread) ----

  private void initAfter(long nanos) {
    state(State.INIT);
    schedule(nanos, this::discover);
  }

  private void discover() {
    xid = clients.register(this, xid);
    tries = 0;
    state(State.SELECTING);
    sendDiscover();
  }

  private void sendDiscover() {
    tries++;
    transmit(message(DhcpMessageType.DISCOVER, 0, 0, 0), clients.server(), backoff(tries),
        tries < clients.timing().tries() ? this::sendDiscover : this::startOver);
  }

  /** An exchange got no answer in its tries: wait longer with every failed one, then DISCOVER again. */
  private void startOver() {
    attempts++;
    initAfter(backoff(attempts));
  }

  private void sendRequest() {
    tries++;
    // Out of tries: the offer is gone; start over (RFC 2131 §4.4.1 leaves the client in INIT).
    transmit(message(DhcpMessageType.REQUEST, 0, offered, offerServer), clients.server(), backoff(tries),
        tries < clients.timing().tries() ? this::sendRequest : this::startOver);
  }

  /** Handles a reply to our xid and MAC; false when this state has no use for it. */
  boolean receive(DhcpPacket p) {
    DhcpMessageType t = p.type();
    switch (state) {
      case SELECTING -> {
        if (t != DhcpMessageType.OFFER || p.yiaddr() == 0) {
          return false;
        }
        offered = p.yiaddr();
        offerServer = p.options().ip(DhcpOptions.SERVER_ID);
        tries = 0;
        state(State.REQUESTING);
        cancel();
        sendRequest();
        return true;
      }
      case REQUESTING, RENEWING, REBINDING -> {
        if (t == DhcpMessageType.ACK && p.yiaddr() != 0) {
          acked(p);
          return true;
        }
        if (t == DhcpMessageType.NAK) {
          naked(p);
          return true;
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private void acked(DhcpPacket ack) {
    cancel();
    clients.unregister(xid);
    DhcpLease l = DhcpLease.of(ack);
    attempts = 0;
    if (phase == Phase.PXE) {
      // The OS asks once the boot files are in: after the listener fetched the boot parameters.
      phase = Phase.OS;
      state(State.INIT);
      int boot = boots;
      clients.callback(() -> listener.booted(l), () -> {
        if (boot == boots && state == State.INIT) {
          initAfter(clients.timing().osBoot().toNanos());
        }
      });
      return;
    }
    boolean changed = lease == null || lease.address() != l.address();
    lease = l;
    publishedLease = l;
    boundAtNanos = System.nanoTime();
    clients.leased();
    state(State.BOUND);
    // RFC 2131 §4.4.5: T1 with some fuzz, so a fleet bound in one storm does not renew in one.
    long t1 = TimeUnit.SECONDS.toNanos(l.renewSeconds());
    schedule(t1 + (t1 >= 20 ? ThreadLocalRandom.current().nextLong(-t1 / 20, t1 / 20) : 0), this::renew);
    clients.callback(() -> listener.bound(l, changed));
  }

  private void naked(DhcpPacket nak) {
    cancel();
    String why = nak.options().string(DhcpOptions.MESSAGE);
    if (state != State.REQUESTING) {
      lose("the server refused the renewal (NAK" + (why == null ? "" : ": " + why) + ")");
    }
    // RFC 2131 §4.4.1: back to INIT; the wait keeps a refusing server from being hammered.
    attempts++;
    initAfter(backoff(attempts));
  }

  private void renew() {
    xid = clients.register(this, xid);
    state(State.RENEWING);
    renewTick();
  }

  /** RENEWING and REBINDING: send, then retry at half the time left (RFC 2131 §4.4.5), up to T2 and expiry. */
  private void renewTick() {
    long elapsed = System.nanoTime() - boundAtNanos;
    long t2 = TimeUnit.SECONDS.toNanos(lease.rebindSeconds());
    long end = TimeUnit.SECONDS.toNanos(lease.leaseSeconds());
    if (elapsed >= end) {
      lose("the lease of " + lease.ip() + " ran out");
      clients.unregister(xid);
      initAfter(0);
      return;
    }
    if (state == State.RENEWING && elapsed >= t2) {
      xid = clients.register(this, xid);
      state(State.REBINDING);
    }
    DhcpPacket p = message(DhcpMessageType.REQUEST, lease.address(), 0, 0);
    InetSocketAddress to = state == State.RENEWING && lease.serverId() > 0
        ? new InetSocketAddress(Ipv4.format(lease.serverId()), clients.server().getPort()) : clients.server();
    long deadline = state == State.RENEWING ? t2 : end;
    long wait = Math.max(clients.timing().minRenewRetry().toNanos(), (deadline - elapsed) / 2);
    transmit(p, to, Math.min(wait, deadline - elapsed), this::renewTick);
  }

  private void lose(String why) {
    lease = null;
    publishedLease = null;
    clients.callback(() -> listener.lost(why));
  }

  // ---- messages ----

  /**
   * A request of this phase's client: iPXE's options or dhcpagent's; {@code requested} and
   * {@code serverId} (options 50 and 54, a REQUEST answering an OFFER) are left out when 0.
   */
  private DhcpPacket message(DhcpMessageType type, long ciaddr, long requested, long serverId) {
    DhcpOptions o = new DhcpOptions();
    o.putByte(DhcpOptions.MESSAGE_TYPE, type.code());
    if (requested > 0) {
      o.putIps(DhcpOptions.REQUESTED_IP, requested);
    }
    if (serverId > 0) {
      o.putIps(DhcpOptions.SERVER_ID, serverId);
    }
    if (phase == Phase.PXE) {
      o.putShort(DhcpOptions.MAX_MESSAGE_SIZE, 1472);
      o.putShort(DhcpOptions.CLIENT_ARCH, 0);
      o.put(DhcpOptions.CLIENT_NDI, new byte[] {1, 2, 1});
      o.putString(DhcpOptions.VENDOR_CLASS, PXE_CLASS);
      o.putString(DhcpOptions.USER_CLASS, "iPXE");
      o.put(DhcpOptions.PARAMETER_REQUEST_LIST, PXE_REQUESTS);
      byte[] id = new byte[7];
      id[0] = 1;
      System.arraycopy(mac, 0, id, 1, 6);
      o.put(DhcpOptions.CLIENT_ID, id);
      ByteBuffer uuid = ByteBuffer.allocate(17).put((byte) 0);
      uuid.putLong(cn.getMostSignificantBits()).putLong(cn.getLeastSignificantBits());
      o.put(DhcpOptions.CLIENT_UUID, uuid.array());
    } else {
      o.putShort(DhcpOptions.MAX_MESSAGE_SIZE, 1500);
      o.putString(DhcpOptions.VENDOR_CLASS, OS_CLASS);
      o.put(DhcpOptions.PARAMETER_REQUEST_LIST, OS_REQUESTS);
    }
    return new DhcpPacket(DhcpPacket.BOOTREQUEST, xid, 0, true, ciaddr, 0, 0, 0, mac, null, null, o);
  }

  // ---- timers ----

  /** The n-th wait (from 1): the first retransmission wait doubled n-1 times, capped, ± jitter. */
  private long backoff(int n) {
    DhcpTiming t = clients.timing();
    long base = t.retransmit().toNanos() << Math.min(Math.max(n - 1, 0), 20);
    base = Math.min(base, t.maxRetransmit().toNanos());
    long jitter = t.jitter().toNanos();
    if (jitter > 0) {
      base += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
    }
    return Math.max(base, Duration.ofMillis(1).toNanos());
  }

  /** Queues {@code p} at the pacer; once it is out, {@code then} runs after {@code waitNanos} unless an answer came. */
  private void transmit(DhcpPacket p, InetSocketAddress to, long waitNanos, Runnable then) {
    cancel();
    Object token = new Object();
    pending = token;
    clients.send(p, to, () -> pending == token, () -> {
      pending = null;
      schedule(waitNanos, then);
    });
  }

  private void schedule(long nanos, Runnable r) {
    cancel();
    timer = clients.loop().schedule(r, Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    pending = null;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void state(State s) {
    state = s;
    published = s;
  }

  @Override
  public String toString() {
    return "DhcpClient[" + cn + " " + mac() + " " + published + "]";
  }
}
