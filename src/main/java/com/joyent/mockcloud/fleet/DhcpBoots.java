package com.joyent.mockcloud.fleet;

import com.joyent.mockcloud.booter.DhcpClient;
import com.joyent.mockcloud.booter.DhcpClients;
import com.joyent.mockcloud.booter.DhcpLease;
import com.joyent.mockcloud.booter.LeaseListener;
import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.server.Sysinfo;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.CnapiApi;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CNs that boot through DHCP ({@code --admin-ip-source dhcp}): each boot is iPXE's exchange,
 * the boot parameters from CNAPI ({@code GET /boot/:uuid}, as booter serves them), then the OS's
 * exchange; once the OS holds its lease the CN's sysinfo gets the address ({@code Admin IP}, the
 * admin NIC's {@code ip4addr}) and the parameters ({@code Boot Parameters}, {@code Live Image}),
 * and the CN starts. A later lease with another address rewrites sysinfo, which re-registers the
 * CN with CNAPI as any sysinfo change does. Thread-safe: lease events arrive on the task pool.
 */
final class DhcpBoots implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DhcpBoots.class);
  private static final Pattern BUILDSTAMP = Pattern.compile("\\d{8}T\\d{6}Z");

  private final DhcpClients clients;
  private final CnapiApi cnapi;
  private final Map<UUID, Boot> boots = new ConcurrentHashMap<>();

  DhcpBoots(DhcpClients clients, CnapiApi cnapi) {
    this.clients = clients;
    this.cnapi = cnapi;
  }

  /** How to start the CN once its OS holds a lease (on the task pool). */
  interface Starter {
    void start() throws IOException;
  }

  /**
   * Boots {@code d}: its admin NIC's MAC asks for a lease; {@code start} runs once the OS holds
   * one. A boot already under way for the CN is stopped first (a reboot).
   */
  void boot(ServerDirectory d, Starter start) throws IOException {
    String mac = adminMac(d.readSysinfo());
    if (mac == null) {
      throw new IOException("server " + d.uuid() + " has no admin NIC in its sysinfo to boot through DHCP with");
    }
    Boot b = new Boot(d, start);
    Boot old = boots.put(d.uuid(), b);
    if (old != null) {
      old.client.stop();
    }
    b.client = clients.client(d.uuid(), mac, b);
    b.client.start();
  }

  /** The CN is off or gone: its client sends nothing more. */
  void stop(UUID uuid) {
    Boot b = boots.remove(uuid);
    if (b != null) {
      b.client.stop();
    }
  }

  /** The CN's client, or null when it does not boot through DHCP now. */
  DhcpClient client(UUID uuid) {
    Boot b = boots.get(uuid);
    return b == null ? null : b.client;
  }

  DhcpClients clients() {
    return clients;
  }

  @Override
  public void close() {
    boots.values().forEach(b -> b.client.stop());
    boots.clear();
    clients.close();
  }

  /** One boot of one CN. Its fields are touched by lease events, which come one at a time per client. */
  private final class Boot implements LeaseListener {
    final ServerDirectory dir;
    final Starter starter;
    volatile DhcpClient client;
    private Map<String, Object> bootParams;
    private boolean started;

    Boot(ServerDirectory dir, Starter starter) {
      this.dir = dir;
      this.starter = starter;
    }

    @Override
    public synchronized void booted(DhcpLease pxe) {
      try {
        ApiResponse r = cnapi.bootParams(dir.uuid().toString());
        if (r.status() == 404) {
          r = cnapi.bootParams("default");
        }
        bootParams = r.isSuccessful() ? r.bodyObject() : null;
        if (bootParams == null) {
          LOG.warn("server {}: CNAPI answered {} for its boot parameters; it boots with the ones it had",
              dir.uuid(), r.status());
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("server {}: no boot parameters from CNAPI ({}); it boots with the ones it had", dir.uuid(), e.toString());
      }
    }

    @Override
    public synchronized void bound(DhcpLease lease, boolean changed) {
      if (boots.get(dir.uuid()) != this) {
        return; // a later boot replaced this one
      }
      try {
        if (!started || changed) {
          Map<String, Object> sysinfo = dir.readSysinfo();
          apply(sysinfo, lease.ip(), started ? null : bootParams);
          dir.writeSysinfo(sysinfo, 2);
          bootParams = null; // in sysinfo now: 10,000 CNs need not keep a copy
        }
        if (!started) {
          started = true;
          LOG.info("server {} booted through DHCP with admin IP {}", dir.uuid(), lease.ip());
          starter.start();
        } else if (changed) {
          LOG.info("server {}: its lease moved its admin IP to {}", dir.uuid(), lease.ip());
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("server {}: cannot take its DHCP lease of {}: {}", dir.uuid(), lease.ip(), e.toString());
        if (!started) {
          stop(dir.uuid()); // a rescan boots it again
        }
      }
    }

    @Override
    public void lost(String why) {
      LOG.warn("server {}: {}", dir.uuid(), why);
    }
  }

  /** Writes the leased address and the boot parameters (if any) into {@code sysinfo}. */
  @SuppressWarnings("unchecked")
  static void apply(Map<String, Object> sysinfo, String ip, Map<String, Object> bootParams) {
    sysinfo.put("Admin IP", ip);
    Map<String, Object> nic = Sysinfo.adminNic(sysinfo);
    if (nic != null) {
      nic.put("ip4addr", ip);
    }
    if (bootParams == null) {
      return;
    }
    Map<String, Object> boot = sysinfo.get("Boot Parameters") instanceof Map<?, ?> m
        ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    if (bootParams.get("kernel_args") instanceof Map<?, ?> args) {
      args.forEach((k, v) -> boot.put(String.valueOf(k), v instanceof String s ? s : String.valueOf(v)));
    }
    // booter's console: the serial device when default_console is serial, else text
    String console = "serial".equals(bootParams.get("default_console"))
        ? String.valueOf(bootParams.getOrDefault("serial", "ttyb")) : "text";
    boot.put("console", console);
    sysinfo.put("Boot Parameters", boot);
    if (bootParams.get("platform") instanceof String p && BUILDSTAMP.matcher(p).matches()) {
      sysinfo.put("Live Image", p);
    }
  }

  /** The MAC of the sysinfo NIC named admin, or null. */
  static String adminMac(Map<String, Object> sysinfo) {
    Map<String, Object> nic = Sysinfo.adminNic(sysinfo);
    return nic != null && nic.get("MAC Address") instanceof String mac ? mac.toLowerCase(java.util.Locale.ROOT) : null;
  }
}
