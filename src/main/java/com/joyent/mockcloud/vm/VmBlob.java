package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The compact in-memory form of a VM file: its compact JSON, deflated with a preset dictionary
 * of the keys and values every VM file repeats (so even a 1.2 KB VM compresses well on its
 * own). A blob whose first byte is {@code '{'} is plain JSON (used when deflating does not
 * pay). Decoded again on every read; measured in docs/vm-store.md (about 3x less heap than
 * plain JSON for the cost of an inflate of ~1 KB per read).
 *
 * <p>Thread-safe: each thread reuses its own {@link Deflater}/{@link Inflater} (their native
 * state is expensive to create).
 */
final class VmBlob {
  private static final byte DEFLATED = 1;
  /** Common substrings, the most frequent last (zlib prefers near matches). */
  static final byte[] DICTIONARY = (
      "\"disks\":[{\"image_uuid\":\"\",\"image_name\":\"\",\"image_size\":,\"refreservation\":,\"size\":"
      + ",\"boot\":true,\"model\":\"virtio\",\"path\":\"/dev/zvol/rdsk/zones/-disk0\"}],\"ram\":,\"vcpus\":"
      + ",\"cpu_type\":\"host\",\"kernel_version\":\"\",\"snapshots\":[{\"created_at\":\"\",\"name\":\"\"}]"
      + ",\"routes\":{},\"do_not_inventory\":true,\"firewall_enabled\":,\"package_name\":\"\",\"hostname\":\""
      + "\",\"brand\":\"joyent\",\"brand\":\"lx\",\"brand\":\"bhyve\",\"brand\":\"kvm\",\"gateway\":\"\",\"gateways\":[\"\"]"
      + ",\"state\":\"stopped\",\"exit_status\":0,\"exit_timestamp\":\"\",\"autoboot\":false,\"zone_state\":\"stopped\""
      + "{\"uuid\":\"\",\"owner_uuid\":\"\",\"brand\":\"joyent-minimal\",\"alias\":\"\",\"image_uuid\":\"\""
      + ",\"billing_id\":\"\",\"cpu_cap\":100,\"max_lwps\":4000,\"max_physical_memory\":128,\"max_swap\":256"
      + ",\"quota\":10,\"nics\":[{\"mac\":\"90:b8:d0:\",\"primary\":true,\"ip\":\"10.\",\"netmask\":\"255.255.255.0\""
      + ",\"vlan_id\":0,\"nic_tag\":\"admin\",\"mtu\":1500,\"network_uuid\":\"\",\"ips\":[\"/24\"]}]"
      + ",\"customer_metadata\":{},\"internal_metadata\":{},\"tags\":{},\"resolvers\":[\"\"],\"server_uuid\":\"\""
      + ",\"autoboot\":true,\"datasets\":[],\"limit_priv\":\"default\",\"max_locked_memory\":256,\"zpool\":\"zones\""
      + ",\"zfs_filesystem\":\"zones/\",\"zonepath\":\"/zones/\",\"zfs_io_priority\":100,\"state\":\"running\""
      + ",\"create_timestamp\":\"20T:.Z\",\"cpu_shares\":100,\"last_modified\":\"20T:.Z\",\"pid\":"
      + ",\"boot_timestamp\":\"20T:.Z\",\"datacenter_name\":\"\",\"platform_buildstamp\":\"20T\""
      + ",\"zonename\":\"\",\"zone_state\":\"running\",\"zoneid\":").getBytes(StandardCharsets.UTF_8);

  private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));
  private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

  private VmBlob() {}

  static byte[] encode(Map<String, Object> vm) {
    return encodeJson(Json.compactBytes(vm));
  }

  /** The blob of a VM's compact JSON text ({@link Json#compactBytes}). */
  static byte[] encodeJson(byte[] json) {
    Deflater d = DEFLATER.get();
    d.reset();
    d.setDictionary(DICTIONARY);
    d.setInput(json);
    d.finish();
    byte[] buf = BUFFER.get();
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 3 + 16);
    out.write(DEFLATED);
    writeVarInt(out, json.length);
    while (!d.finished()) {
      int n = d.deflate(buf);
      out.write(buf, 0, n);
    }
    return out.size() < json.length ? out.toByteArray() : json;
  }

  static LinkedHashMap<String, Object> decode(byte[] blob) {
    return Json.parseObject(json(blob));
  }

  /** The compact JSON text of a blob. */
  static byte[] json(byte[] blob) {
    if (blob.length == 0 || blob[0] != DEFLATED) {
      return blob;
    }
    int[] pos = {1};
    int length = readVarInt(blob, pos);
    byte[] json = new byte[length];
    Inflater inf = INFLATER.get();
    inf.reset();
    inf.setInput(blob, pos[0], blob.length - pos[0]);
    try {
      int off = 0;
      while (off < length) {
        int n = inf.inflate(json, off, length - off);
        if (n == 0) {
          if (inf.needsDictionary()) {
            inf.setDictionary(DICTIONARY);
          } else if (inf.finished() || inf.needsInput()) {
            break;
          }
        }
        off += n;
      }
      if (off != length) {
        throw new IllegalStateException("VM blob inflated to " + off + " bytes, expected " + length);
      }
    } catch (DataFormatException e) {
      throw new IllegalStateException("corrupt VM blob: " + e.getMessage(), e);
    }
    return json;
  }

  private static void writeVarInt(ByteArrayOutputStream out, int v) {
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private static int readVarInt(byte[] b, int[] pos) {
    int v = 0;
    int shift = 0;
    while (true) {
      byte x = b[pos[0]++];
      v |= (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
      shift += 7;
    }
  }

  static boolean sameJson(byte[] a, byte[] b) {
    return Arrays.equals(a, b) || Arrays.equals(json(a), json(b));
  }
}
