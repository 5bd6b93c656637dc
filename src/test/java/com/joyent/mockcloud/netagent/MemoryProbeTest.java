package com.joyent.mockcloud.netagent;

import com.joyent.mockcloud.server.ServerDirectory;
import com.joyent.mockcloud.vm.ServerVms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manual measurement, not run by the build: heap retained per CN by net-agent once 400 CNs of
 * 2 CN NICs and 5 one-NIC VMs are in step (docs/net-agent.md "Memory"). Run with
 * {@code -Dtest=MemoryProbeTest -Dnetagent.memprobe=true}.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "netagent.memprobe", matches = "true")
class MemoryProbeTest {
  @TempDir Path tmp;

  static long used() throws Exception {
    for (int i = 0; i < 4; i++) {
      System.gc();
      // real sleep: lets the collector finish (an opt-in probe, not part of the suite)
      Thread.sleep(150);
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void heldPerCn_inStep_isPrinted() throws Exception {
    NetAgentHarness h = new NetAgentHarness(tmp);
    int cns = 400;
    int vmsPer = 5;
    List<ServerDirectory> dirs = new ArrayList<>();
    for (int i = 0; i < cns; i++) {
      String m0 = FakeNapi.newMac();
      String m1 = FakeNapi.newMac();
      ServerDirectory d = h.newServer(m0, "10.199.2." + (i % 250), m1);
      dirs.add(d);
      ServerVms vms = h.vmsOf(d);
      for (String m : List.of(m0, m1)) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("belongs_to_type", "server");
        n.put("belongs_to_uuid", d.uuid().toString());
        n.put("owner_uuid", NetAgentHarness.ADMIN.toString());
        n.put("state", "running");
        n.put("mac", m);
        h.napi.putNic(n);
      }
      for (int v = 0; v < vmsPer; v++) {
        String mac = FakeNapi.newMac();
        String ip = "10.88.88." + (v + 10);
        Map<String, Object> nic = NetAgentHarness.vmNic(mac, ip, true);
        nic.put("gateway", "10.88.88.1");
        nic.put("mtu", 1500);
        nic.put("network_uuid", NetAgentHarness.EXTERNAL);
        String vm = java.util.UUID.randomUUID().toString();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("uuid", vm);
        p.put("brand", "joyent-minimal");
        p.put("owner_uuid", NetAgentHarness.OWNER);
        p.put("resolvers", List.of("8.8.8.8"));
        p.put("nics", List.of(nic));
        vms.create(p);
        Map<String, Object> rec = h.napiNicFor(mac, ip, vm, "running");
        rec.put("cn_uuid", d.uuid().toString());
        h.napi.putNic(rec);
      }
    }
    NetAgentOptions o = NetAgentOptions.fast().withChangefeed(false);
    List<NetAgent> agents = new ArrayList<>();
    for (ServerDirectory d : dirs) {
      agents.add(h.agent(d, o));
    }
    long before = used();
    agents.forEach(NetAgent::start);
    for (NetAgent a : agents) {
      NetAgentHarness.awaitSettled(a);
    }
    h.awaitQuiet();
    int writes = h.napi.writes().size();
    h.napi.clearReceived();
    long after = used();
    System.out.println("MEMPROBE per CN bytes: " + (after - before) / cns + " writes=" + writes);
    h.close();
  }
}
