package com.joyent.mockcloud.sandbox;

import com.joyent.mockcloud.util.Ipv4;

import java.time.Clock;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of one {@link Sandbox}: immutable, checked once in the constructor. Start from
 * {@link #defaults()} and change what a test or the CLI needs with the {@code with*} methods.
 *
 * @param bindHost      address every listener binds (ports are always OS-chosen)
 * @param datacenter    CNAPI's {@code datacenter_name}, copied into new server records
 * @param adminUuid     the operator ("ufdsAdmin") uuid that owns the admin NICs
 * @param adminSubnet   CIDR of the {@code admin} network (large: one IP per mock CN)
 * @param externalSubnet CIDR of the {@code external} network
 * @param clock         time source for heartbeats, timestamps and task records
 * @param ioThreads     I/O threads of the sandbox's own HTTP worker
 * @param changefeed    whether NAPI publishes its changefeed (net-agent-cmon-mockcloud.md §3.9);
 *                      without it NAPI answers 404 to {@code /changefeeds}, as an older NAPI does
 */
public record SandboxOptions(String bindHost, String datacenter, String adminUuid, String adminSubnet,
    String externalSubnet, Clock clock, int ioThreads, boolean changefeed) {

  public static final String DEFAULT_ADMIN_UUID = "930896af-bf8c-48d4-885c-6573a94b1853";

  public SandboxOptions {
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(clock, "clock");
    if (datacenter == null || datacenter.isEmpty()) {
      throw new IllegalArgumentException("datacenter must be a non-empty name, got " + datacenter);
    }
    if (adminUuid == null || !Values.isUuid(adminUuid)) {
      throw new IllegalArgumentException("adminUuid must be a lowercase UUID, got " + adminUuid);
    }
    Ipv4.Cidr.parse(adminSubnet); // throws IllegalArgumentException naming the value
    Ipv4.Cidr.parse(externalSubnet);
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1, got " + ioThreads);
    }
  }

  /** Loopback, datacenter {@code sandbox}, admin 10.99.0.0/16, external 10.88.88.0/24, system clock. */
  public static SandboxOptions defaults() {
    return new SandboxOptions("127.0.0.1", "sandbox", DEFAULT_ADMIN_UUID, "10.99.0.0/16", "10.88.88.0/24",
        Clock.systemUTC(), 2, true);
  }

  public SandboxOptions withBindHost(String v) {
    Builder b = new Builder(this);
    b.bindHost = v;
    return b.build();
  }

  public SandboxOptions withDatacenter(String v) {
    Builder b = new Builder(this);
    b.datacenter = v;
    return b.build();
  }

  public SandboxOptions withAdminUuid(String v) {
    Builder b = new Builder(this);
    b.adminUuid = v;
    return b.build();
  }

  public SandboxOptions withAdminSubnet(String v) {
    Builder b = new Builder(this);
    b.adminSubnet = v;
    return b.build();
  }

  public SandboxOptions withRandomAdminUuid() {
    return withAdminUuid(UUID.randomUUID().toString());
  }

  public SandboxOptions withExternalSubnet(String v) {
    Builder b = new Builder(this);
    b.externalSubnet = v;
    return b.build();
  }

  public SandboxOptions withClock(Clock v) {
    Builder b = new Builder(this);
    b.clock = v;
    return b.build();
  }

  public SandboxOptions withIoThreads(int v) {
    Builder b = new Builder(this);
    b.ioThreads = v;
    return b.build();
  }

  public SandboxOptions withChangefeed(boolean v) {
    Builder b = new Builder(this);
    b.changefeed = v;
    return b.build();
  }

  /** One field changed, the rest copied: what each {@code with*} is made of. */
  private static final class Builder {
    private String bindHost;
    private String datacenter;
    private String adminUuid;
    private String adminSubnet;
    private String externalSubnet;
    private Clock clock;
    private int ioThreads;
    private boolean changefeed;

    Builder(SandboxOptions o) {
      bindHost = o.bindHost;
      datacenter = o.datacenter;
      adminUuid = o.adminUuid;
      adminSubnet = o.adminSubnet;
      externalSubnet = o.externalSubnet;
      clock = o.clock;
      ioThreads = o.ioThreads;
      changefeed = o.changefeed;
    }

    SandboxOptions build() {
      return new SandboxOptions(bindHost, datacenter, adminUuid, adminSubnet, externalSubnet, clock, ioThreads, changefeed);
    }
  }
}
