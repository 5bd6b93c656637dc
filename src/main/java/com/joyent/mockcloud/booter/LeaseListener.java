package com.joyent.mockcloud.booter;

/** What a CN hears from its DHCP client; called on the executor given to {@link DhcpClients}, never on the I/O thread. */
public interface LeaseListener {
  /** The boot exchange (iPXE's) ended: the CN fetches its boot parameters and starts its OS. */
  default void booted(DhcpLease pxeLease) {}

  /** The OS holds {@code lease}; {@code changed} when its address differs from the one held before (or none). */
  void bound(DhcpLease lease, boolean changed);

  /** The lease ran out or the server refused it (NAK): the CN holds no address until the next ACK. */
  default void lost(String why) {}
}
