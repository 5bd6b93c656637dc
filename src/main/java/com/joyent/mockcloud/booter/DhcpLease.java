package com.joyent.mockcloud.booter;

import com.joyent.mockcloud.util.Ipv4;
import java.util.List;

/**
 * An address a DHCP server acknowledged. Times are seconds from the ACK; T1 and T2 are the
 * server's (options 58, 59) or RFC 2131's defaults, half and seven eighths of the lease.
 */
public record DhcpLease(long address, long netmask, long router, List<Long> dnsServers, long serverId,
    long leaseSeconds, long renewSeconds, long rebindSeconds, String bootFile, long nextServer) {

  static DhcpLease of(DhcpPacket ack) {
    DhcpOptions o = ack.options();
    long lease = o.intValue(DhcpOptions.LEASE_TIME);
    if (lease < 0) {
      lease = 3600; // RFC 2131 makes option 51 mandatory in an ACK; a server that omits it gets an hour
    }
    long t1 = o.intValue(DhcpOptions.RENEWAL_TIME);
    long t2 = o.intValue(DhcpOptions.REBINDING_TIME);
    if (t2 < 0 || t2 > lease) {
      t2 = lease * 7 / 8;
    }
    if (t1 < 0 || t1 > t2) {
      t1 = lease / 2;
    }
    return new DhcpLease(ack.yiaddr(), o.ip(DhcpOptions.SUBNET_MASK), o.ip(DhcpOptions.ROUTER),
        o.ips(DhcpOptions.DNS_SERVERS), o.ip(DhcpOptions.SERVER_ID), lease, t1, t2, ack.file(), ack.siaddr());
  }

  public String ip() {
    return Ipv4.format(address);
  }

  /** The netmask as text, or null when the server sent none. */
  public String netmaskText() {
    return netmask < 0 ? null : Ipv4.format(netmask);
  }
}
