package com.joyent.mockcloud.server;

import com.joyent.mockcloud.io.FileTrees;
import com.joyent.mockcloud.triton.CnapiApi;
import com.joyent.mockcloud.triton.NapiApi;
import com.joyent.mockcloud.triton.VmapiApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Deletes one mock CN and cleans up after it in CNAPI, NAPI and VMAPI (spec cn-agent.md §5.4).
 *
 * <p>Order: the directory is first moved to {@code .deleting/} (so a running daemon stops
 * that CN at once), then CNAPI {@code DELETE /servers/<uuid>}, then every NAPI NIC that
 * belongs to the CN, plus the sysinfo NICs by MAC (the admin NIC create-server allocated
 * may still belong to the UFDS admin if net-agent never claimed it; the reference leaked
 * it), then each of its VMs in VMAPI; the directory is removed last. If an API call fails,
 * the CN stays in {@code .deleting/} and running delete-server again finishes the job.
 */
public final class ServerDeleter {
  private final ServerRoot root;
  private final CnapiApi cnapi;
  private final NapiApi napi;
  private final VmapiApi vmapi;
  private final Consumer<String> progress;

  public ServerDeleter(ServerRoot root, CnapiApi cnapi, NapiApi napi, VmapiApi vmapi,
      Consumer<String> progress) {
    this.root = root;
    this.cnapi = cnapi;
    this.napi = napi;
    this.vmapi = vmapi;
    this.progress = progress;
  }

  /** True if the server exists, or a previous delete of it did not finish. */
  public boolean exists(UUID uuid) {
    return Files.isDirectory(root.directoryOf(uuid).dir())
        || Files.isDirectory(root.deletingDir().resolve(uuid.toString()));
  }

  /** Throws IllegalArgumentException if there is no such server (nothing is touched then). */
  public void delete(UUID uuid) throws IOException {
    Path live = root.directoryOf(uuid).dir();
    Path parked = root.deletingDir().resolve(uuid.toString());
    if (Files.isDirectory(live)) {
      Files.createDirectories(root.deletingDir());
      FileTrees.deleteTree(parked);
      Files.move(live, parked, StandardCopyOption.ATOMIC_MOVE);
      progress.accept("stopped serving " + uuid);
    } else if (!Files.isDirectory(parked)) {
      throw new IllegalArgumentException("no server " + uuid + " under " + root.serversDir());
    }
    ServerDirectory dir = new ServerDirectory(uuid, parked);
    List<String> sysinfoMacs = Files.exists(dir.sysinfoFile()) ? Sysinfo.macs(dir.readSysinfo()) : List.of();

    progress.accept(cnapi.deleteServer(uuid) ? "deleted from CNAPI" : "not in CNAPI");
    int nics = deleteNicsOf(uuid.toString());
    for (String mac : sysinfoMacs) {
      if (napi.deleteNic(mac)) {
        nics++;
      }
    }
    progress.accept("deleted " + nics + " NIC(s) from NAPI");
    List<Map<String, Object>> vms = vmapi.listVmsOnServer(uuid);
    for (Map<String, Object> vm : vms) {
      String vmUuid = String.valueOf(vm.get("uuid"));
      Object state = vm.get("state");
      if (!"destroyed".equals(state) && !"failed".equals(state)) {
        vmapi.syncVm(vmUuid);
      }
      deleteNicsOf(vmUuid);
    }
    progress.accept("cleaned up " + vms.size() + " VM(s) in VMAPI/NAPI");
    FileTrees.deleteTree(parked);
    progress.accept("deleted directory");
  }

  private int deleteNicsOf(String belongsTo) throws IOException {
    int n = 0;
    for (Map<String, Object> nic : napi.listNicsBelongingTo(belongsTo)) {
      if (nic.get("mac") instanceof String mac && napi.deleteNic(mac)) {
        n++;
      }
    }
    return n;
  }
}
