package com.joyent.mockcloud.config;

import java.net.InetSocketAddress;

/**
 * How mock CNs get their admin IPs: from NAPI when they are created (the default), or through
 * DHCP at every boot, as a real CN gets it from booter (docs/booter.md). Addresses are IP
 * literals only: no name is ever looked up.
 *
 * @param enabled whether CNs boot through DHCP
 * @param server where DISCOVERs go: booter's address, or the admin network's broadcast address
 * @param bind the clients' socket: port 68 on the admin interface for a real booter
 * @param rate the most DHCP messages a second the whole daemon sends
 */
public record DhcpSettings(boolean enabled, InetSocketAddress server, InetSocketAddress bind, double rate) {
  public static final int SERVER_PORT = 67;
  public static final int CLIENT_PORT = 68;
  public static final double DEFAULT_RATE = 200;
  public static final DhcpSettings OFF = new DhcpSettings(false, new InetSocketAddress("255.255.255.255", SERVER_PORT),
      new InetSocketAddress("0.0.0.0", CLIENT_PORT), DEFAULT_RATE);

  public DhcpSettings withServer(InetSocketAddress s) {
    return new DhcpSettings(true, s, bind, rate);
  }
}
