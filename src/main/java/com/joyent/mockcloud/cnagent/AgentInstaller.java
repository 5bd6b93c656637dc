package com.joyent.mockcloud.cnagent;

import com.joyent.mockcloud.io.AtomicFiles;
import com.joyent.mockcloud.json.Json;
import com.joyent.mockcloud.triton.ApiResponse;
import com.joyent.mockcloud.triton.JsonHttpClient;
import com.joyent.mockcloud.triton.SapiAgentInstances;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * agent_install's work (spec cn-agent.md §3.2.21 and §5.6): fetch the image manifest and
 * file from IMGAPI, check size and SHA-1, take {@code <name>/image_uuid} and
 * {@code <name>/package.json} out of the tarball into {@code agents/<name>/}, make an
 * {@code instance_uuid} once, and adopt the instance into SAPI. Runs on a task thread and
 * blocks on HTTP and disk.
 */
final class AgentInstaller {
  private final TaskContext ctx;
  private final CnContext cn;

  AgentInstaller(TaskContext ctx) {
    this.ctx = ctx;
    this.cn = ctx.cn();
  }

  /** A failure with the message the task reports after {@code AgentInstall error: }. */
  static final class InstallException extends Exception {
    InstallException(String message) {
      super(message);
    }
  }

  void install(String imageUuid) throws IOException, InstallException {
    URI imgapi = cn.settings().requireImgapiUrl();
    JsonHttpClient api = cn.apis().imgapi(imgapi, cn.options().userAgent(cn.serverUuid()));
    Path scratch = cn.options().tmpDir().resolve(cn.serverUuid().toString());
    Files.createDirectories(scratch);

    String manifestPath = "/images/" + imageUuid;
    ApiResponse m = api.send("GET", manifestPath, null);
    if (m.status() == 404) {
      throw new InstallException("Image not found at " + imgapi + manifestPath);
    }
    if (!m.isSuccessful()) {
      throw new InstallException("IMGAPI GET " + manifestPath + " answered " + m.status());
    }
    Map<String, Object> manifest = m.bodyObject();
    ctx.progress(10);
    Path file = scratch.resolve(imageUuid + ".file");
    download(imgapi.resolve(imgapi.getPath() + "/images/" + imageUuid + "/file"), file);
    ctx.progress(40);

    Map<?, ?> f0 = manifest.get("files") instanceof List<?> files && !files.isEmpty() && files.get(0) instanceof Map<?, ?> x
        ? x : Map.of();
    long size = Files.size(file);
    if (f0.get("size") instanceof Number expected && expected.longValue() != size) {
      throw new InstallException("Unexpected file size (" + expected + " vs " + size + ")");
    }
    String sha1 = sha1(file);
    if (f0.get("sha1") instanceof String expected && !expected.equals(sha1)) {
      throw new InstallException("sha1 does not match: (" + sha1 + " vs " + expected + ")");
    }
    String compression = f0.get("compression") instanceof String c ? c : sniff(file);
    Path tarball = scratch.resolve(imageUuid + (compression.equals("bzip2") ? ".tar.bz2" : ".tar.gz"));
    Files.move(file, tarball, StandardCopyOption.REPLACE_EXISTING);
    if (!(manifest.get("name") instanceof String name)) {
      throw new InstallException("Manifest is missing \"name\"");
    }
    ctx.progress(60);
    installTarball(tarball, compression, name);
    ctx.progress(90);
  }

  private void installTarball(Path tarball, String compression, String manifestName)
      throws IOException, InstallException {
    byte[] imageUuidFile = null;
    byte[] packageJson = null;
    boolean namedImageUuid = false;
    String base = null;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball));
         InputStream unzipped = compression.equals("bzip2") ? new BZip2CompressorInputStream(raw)
             : new GzipCompressorInputStream(raw);
         TarArchiveInputStream tar = new TarArchiveInputStream(unzipped)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String entry = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        if (base == null) {
          base = entry.split("/", 2)[0];
          if (base.isEmpty()) {
            throw new InstallException("cannot find the top-level directory of " + tarball);
          }
        }
        if (entry.equals(manifestName + "/image_uuid")) {
          namedImageUuid = true;
        }
        if (entry.equals(base + "/image_uuid")) {
          imageUuidFile = tar.readAllBytes();
        } else if (entry.equals(base + "/package.json")) {
          packageJson = tar.readAllBytes();
        }
      }
    }
    if (!namedImageUuid || imageUuidFile == null) {
      throw new InstallException("Could not find " + manifestName + "/image_uuid in " + tarball);
    }
    if (packageJson == null) {
      throw new InstallException("Could not find " + base + "/package.json in " + tarball);
    }
    Map<String, Object> pkg;
    try {
      pkg = Json.parseObject(packageJson);
    } catch (Json.JsonFormatException e) {
      throw new InstallException(base + "/package.json is not JSON: " + e.getMessage());
    }
    if (!(pkg.get("name") instanceof String agent) || agent.isEmpty() || agent.contains("/") || agent.startsWith(".")) {
      throw new InstallException(base + "/package.json has no usable \"name\"");
    }
    Path dir = cn.dir().agentsDir().resolve(agent);
    Files.createDirectories(dir);
    AtomicFiles.write(dir.resolve("image_uuid"), imageUuidFile);
    AtomicFiles.write(dir.resolve("package.json"), packageJson);
    Path instance = dir.resolve("instance_uuid");
    if (!Files.exists(instance)) {
      AtomicFiles.write(instance, (UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    new SapiAdoption(cn).adopt(agent, Files.readString(instance).strip(),
        new String(imageUuidFile, StandardCharsets.UTF_8).strip());
  }

  private void download(URI uri, Path to) throws IOException, InstallException {
    HttpRequest req = HttpRequest.newBuilder(uri).GET()
        .header("user-agent", cn.options().userAgent(cn.serverUuid())).build();
    try {
      // Straight to disk through the JDK client: OutboundHttp holds an answer in memory, fine for
      // JSON but not for agent tarballs of tens of MB installed on many CNs at once.
      HttpResponse<Path> r = cn.downloads().send(req, HttpResponse.BodyHandlers.ofFile(to));
      if (r.statusCode() != 200) {
        throw new InstallException("IMGAPI GET " + uri.getPath() + " answered " + r.statusCode());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + uri, e);
    }
  }

  private static String sha1(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JRE", e);
    }
  }

  private static String sniff(Path file) throws IOException, InstallException {
    byte[] head = new byte[3];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 3);
      if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return "gzip";
      }
      if (n == 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
        return "bzip2";
      }
    }
    throw new InstallException("unhandled file type: " + file);
  }

  /**
   * SAPI's view of an agent instance (spec §4.6): adopt it into the agent's service, if SAPI has
   * one. The body is the dummy's plus the {@code params} a real agent's postinstall sends
   * ({@code server_uuid}, {@code image_uuid}), so SAPI's config of the instance names this CN.
   */
  static final class SapiAdoption {
    private static final int TRIES = 10;
    private final CnContext cn;

    SapiAdoption(CnContext cn) {
      this.cn = cn;
    }

    void adopt(String agent, String instanceUuid, String imageUuid) throws IOException, InstallException {
      JsonHttpClient sapi = cn.apis().sapi(cn.options().userAgent(cn.serverUuid()));
      String problem = null;
      for (int i = 0; i < TRIES; i++) {
        try {
          SapiAgentInstances.adopt(sapi, agent, true, instanceUuid, cn.serverUuid().toString(), imageUuid);
          return;
        } catch (IllegalStateException several) {
          throw new TaskCrash(several.getMessage());
        } catch (SapiAgentInstances.Refused e) {
          problem = e.getMessage();
        } catch (IOException e) {
          problem = e.toString();
        }
        sleep(5000);
      }
      throw new InstallException("SAPI adoption of " + agent + " failed: " + problem);
    }

    private static void sleep(long ms) throws IOException {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
