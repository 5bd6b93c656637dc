package com.joyent.mockcloud.booter;

import java.time.Duration;

/**
 * The client's clocks. {@link #standard} is RFC 2131's: retransmit after 4 s, doubling to 64 s,
 * each ±1 s; a renewal or rebinding retry at half the time left, at least 60 s. Tests shrink them.
 *
 * @param retransmit the first retransmission wait
 * @param maxRetransmit the cap of the doubling wait
 * @param jitter each wait is moved by a random amount within ±jitter
 * @param minRenewRetry the shortest wait between renewal (and rebinding) retries
 * @param tries transmissions of a DISCOVER or REQUEST before the exchange starts over
 * @param bootSpread the first DISCOVER of a boot waits a random time below this (POST, the NIC ROM)
 * @param osBoot between iPXE's ACK and the OS's first DISCOVER (the kernel and boot archive load)
 * @param rate DHCP messages per second the whole process sends at most (a boot storm's pace)
 */
public record DhcpTiming(Duration retransmit, Duration maxRetransmit, Duration jitter, Duration minRenewRetry,
    int tries, Duration bootSpread, Duration osBoot, double rate) {
  public DhcpTiming {
    if (retransmit.isNegative() || retransmit.isZero() || maxRetransmit.compareTo(retransmit) < 0) {
      throw new IllegalArgumentException("retransmit waits must be positive and max >= first");
    }
    if (tries < 1 || rate <= 0) {
      throw new IllegalArgumentException("tries must be >= 1 and rate > 0");
    }
  }

  /** RFC 2131 §4.1 and §4.4.5; boots spread over 30 s, 5 s of OS boot; 200 messages a second. */
  public static DhcpTiming standard() {
    return new DhcpTiming(Duration.ofSeconds(4), Duration.ofSeconds(64), Duration.ofSeconds(1),
        Duration.ofSeconds(60), 4, Duration.ofSeconds(30), Duration.ofSeconds(5), 200);
  }

  public DhcpTiming withRate(double perSecond) {
    return new DhcpTiming(retransmit, maxRetransmit, jitter, minRenewRetry, tries, bootSpread, osBoot, perSecond);
  }

  public DhcpTiming withOsBoot(Duration boot) {
    return new DhcpTiming(retransmit, maxRetransmit, jitter, minRenewRetry, tries, bootSpread, boot, rate);
  }

  public DhcpTiming withBootSpread(Duration spread) {
    return new DhcpTiming(retransmit, maxRetransmit, jitter, minRenewRetry, tries, spread, osBoot, rate);
  }
}
