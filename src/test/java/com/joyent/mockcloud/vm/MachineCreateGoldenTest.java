package com.joyent.mockcloud.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine_create example of spec cn-agent.md §3.2.3, byte for byte. */
class MachineCreateGoldenTest {
  @TempDir Path root;

  @Test
  void machineCreateExample_writesExactlyTheReferenceFile() throws Exception {
    String params = """
        {"uuid":"0bbe0f7c-2d8e-4f0e-8f6a-3c1d59d5a111","owner_uuid":"930896af-bf8c-48d4-885c-6573a94b1853",
          "brand":"joyent-minimal","alias":"t1","image_uuid":"2b683a82-a066-11e3-97ab-2faa44701c5a",
          "billing_id":"f3736d0c-2d11-4bd6-9ba4-1f8d6b3f3b73","cpu_cap":100,"max_lwps":4000,
          "max_physical_memory":128,"max_swap":256,"quota":3,"ram":128,"zfs_io_priority":10,
          "nics":[{"belongs_to_uuid":"0bbe0f7c-2d8e-4f0e-8f6a-3c1d59d5a111","belongs_to_type":"zone",
                   "mac":"90:b8:d0:2f:6b:5d","primary":true,"state":"provisioning","ip":"10.99.99.40",
                   "netmask":"255.255.255.0","vlan_id":0,"nic_tag":"admin","mtu":1500,
                   "network_uuid":"54f38ed1-bf03-4c6c-8b56-6182145ffc80","gateway":"10.99.99.7"}],
          "customer_metadata":{},"internal_metadata":{},"tags":{},"resolvers":["10.99.99.11"],
          "server_uuid":"564d0b1a-94f0-4a7e-a0c2-5f2b0c7d3e11","firewall_enabled":false,"jobid":"x"}
        """;
    String expected = """
        {
          "uuid": "0bbe0f7c-2d8e-4f0e-8f6a-3c1d59d5a111",
          "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853",
          "brand": "joyent-minimal",
          "alias": "t1",
          "image_uuid": "2b683a82-a066-11e3-97ab-2faa44701c5a",
          "billing_id": "f3736d0c-2d11-4bd6-9ba4-1f8d6b3f3b73",
          "cpu_cap": 100,
          "max_lwps": 4000,
          "max_physical_memory": 128,
          "max_swap": 256,
          "quota": 3,
          "nics": [
            {
              "mac": "90:b8:d0:2f:6b:5d",
              "primary": true,
              "ip": "10.99.99.40",
              "netmask": "255.255.255.0",
              "vlan_id": 0,
              "nic_tag": "admin",
              "mtu": 1500,
              "network_uuid": "54f38ed1-bf03-4c6c-8b56-6182145ffc80",
              "ips": [
                "10.99.99.40/24"
              ]
            }
          ],
          "customer_metadata": {},
          "internal_metadata": {},
          "tags": {},
          "resolvers": [
            "10.99.99.11"
          ],
          "server_uuid": "564d0b1a-94f0-4a7e-a0c2-5f2b0c7d3e11",
          "autoboot": true,
          "datasets": [],
          "limit_priv": "default",
          "max_locked_memory": 256,
          "zpool": "zones",
          "zfs_filesystem": "zones/0bbe0f7c-2d8e-4f0e-8f6a-3c1d59d5a111",
          "zonepath": "/zones/0bbe0f7c-2d8e-4f0e-8f6a-3c1d59d5a111",
          "zfs_io_priority": 100,
          "state": "running",
          "create_timestamp": "2019-07-18T01:02:03.456Z",
          "cpu_shares": 100
        }
        """;
    try (VmFixtures fx = new VmFixtures(root)) {
      fx.clock.advance(Duration.ofMillis(Instant.parse("2019-07-18T01:02:03.456Z").toEpochMilli() - fx.clock.millis()));
      MachineCreatePayload.Mapped mapped = MachineCreatePayload.fromTaskParams(Json.parseObject(params));

      String uuid = fx.vms.create(mapped.payload());

      assertThat(Files.readString(fx.file(uuid))).isEqualTo(expected);
      assertThat(mapped.ignored()).containsExactly("nics.gateway", "jobid");
    }
  }
}
