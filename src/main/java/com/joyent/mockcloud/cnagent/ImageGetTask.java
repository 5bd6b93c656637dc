package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code image_get} as the smartos backend runs it (CNAPI's ImageGet): {@code imgadm get
 * <uuid>}, answering the manifest of an image installed on the CN. The images a mock CN holds
 * are the ones its VMs were made from ({@code image_uuid}, and each disk's {@code image_uuid}
 * for kvm/bhyve), since a real CN keeps every image a VM is cloned from. The mock stores no
 * manifests; a real CN's manifest is the one {@code imgadm import} fetched from the DC's
 * IMGAPI, so the mock fetches that same one from IMGAPI.
 *
 * <p>Answers: the manifest (after {@code progress 100}); an image the CN does not hold → the
 * real task's error, imgadm's {@code ImageNotInstalled} text inside {@code Image.get error: …};
 * a held image whose manifest IMGAPI cannot give → {@code Image.get error: …} saying so; a
 * {@code uuid} that is not a UUID → the crash answer. Blocks on IMGAPI (a task thread).
 */
final class ImageGetTask {
  private static final Pattern UUID = Pattern.compile(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  /** imgadm's default pool, the one {@code imgadm get} without {@code -P} looks in. */
  private static final String ZPOOL = "zones";

  private ImageGetTask() {}

  static void run(TaskContext ctx) {
    Object u = ctx.params().get("uuid");
    if (!(u instanceof String uuid) || !UUID.matcher(uuid).matches()) {
      throw TaskContext.crash("params.uuid must be a UUID, got " + u);
    }
    if (!heldImages(ctx).contains(uuid)) {
      ctx.fatal(imgadmError(uuid, "imgadm get: error (ImageNotInstalled): image \"" + uuid
          + "\" was not found on zpool \"" + ZPOOL + "\"\n"));
      return;
    }
    URI imgapi = ctx.cn().settings().imgapiUrl();
    if (imgapi == null) {
      ctx.fatal("Image.get error: image " + uuid + " is installed on this mock CN, which keeps no image manifests,"
          + " and no IMGAPI is configured to take it from");
      return;
    }
    JsonHttpClient api = ctx.cn().apis().imgapi(imgapi, ctx.cn().options().userAgent(ctx.cn().serverUuid()));
    ApiResponse r;
    try {
      r = api.send("GET", "/images/" + uuid, null);
    } catch (IOException e) {
      ctx.fatal(noManifest(uuid, imgapi, e.getMessage()));
      return;
    }
    if (!r.isSuccessful() || !(r.body() instanceof Map<?, ?>)) {
      ctx.fatal(noManifest(uuid, imgapi, "it answered " + r.status()
          + (r.errorMessage() != null ? " " + r.errorMessage() : "")));
      return;
    }
    ctx.progress(100);
    ctx.finish(r.bodyObject());
  }

  /** The image uuids this CN's VMs (DNI ones too: their datasets are on the pool) were made from. */
  static Set<String> heldImages(TaskContext ctx) {
    Set<String> held = new LinkedHashSet<>();
    for (Map<String, Object> vm : ctx.cn().vms().lookup(Map.of(), List.of("image_uuid", "disks"))) {
      if (vm.get("image_uuid") instanceof String s) {
        held.add(s);
      }
      if (vm.get("disks") instanceof List<?> disks) {
        for (Object d : disks) {
          if (d instanceof Map<?, ?> disk && disk.get("image_uuid") instanceof String s) {
            held.add(s);
          }
        }
      }
    }
    return held;
  }

  /** The real task's text for a failed {@code imgadm get}: command and standard error. */
  private static String imgadmError(String uuid, String stderr) {
    return "Image.get error: error getting image " + uuid + ":\n"
        + "    cmd: /usr/sbin/imgadm get " + uuid + "\n"
        + "    stderr: " + stderr;
  }

  private static String noManifest(String uuid, URI imgapi, String why) {
    return "Image.get error: image " + uuid + " is installed on this mock CN, which keeps no image manifests,"
        + " and IMGAPI (" + imgapi + ") could not give it: " + why;
  }
}
