package com.joyent.mockcloud.server;

import com.joyent.mockcloud.util.Uuids;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mockcloud root: {@code servers/} holds one directory per mock CN, named by its UUID.
 * {@code .staging/} holds a CN while create-server builds it (moved into {@code servers/}
 * in one rename once complete), {@code .deleting/} one whose delete-server has started but
 * not finished its API clean-up (so a rerun can finish it). Entries of {@code servers/}
 * that are not valid server directories are logged and skipped.
 */
public final class ServerRoot {
  private static final Logger LOG = LoggerFactory.getLogger(ServerRoot.class);
  private final Path root;

  public ServerRoot(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path serversDir() {
    return root.resolve("servers");
  }

  Path stagingDir() {
    return root.resolve(".staging");
  }

  Path deletingDir() {
    return root.resolve(".deleting");
  }

  public ServerDirectory directoryOf(UUID uuid) {
    return new ServerDirectory(uuid, serversDir().resolve(uuid.toString()));
  }

  /** Every entry of the servers directory, valid or not, unchecked and unsorted (none if it is missing). */
  public List<Path> entries() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(serversDir())) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(serversDir())) {
      ds.forEach(out::add);
    }
    return out;
  }

  /** Every valid server directory (a UUID-named directory holding sysinfo.json), by name. */
  public List<ServerDirectory> list() throws IOException {
    List<ServerDirectory> out = new ArrayList<>();
    for (Path p : entries()) {
      validServer(p).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(d -> d.uuid().toString()));
    return out;
  }

  /** The entry as a server directory, or empty (logged) if it is not one. */
  public static Optional<ServerDirectory> validServer(Path p) {
    String name = p.getFileName().toString();
    if (name.startsWith(".")) {
      return Optional.empty(); // staging leftovers and editor files
    }
    if (!Uuids.isUuid(name)) {
      LOG.warn("skipping {}: not a server directory (name is not a UUID)", p);
      return Optional.empty();
    }
    if (!Files.isDirectory(p)) {
      LOG.warn("skipping {}: not a directory", p);
      return Optional.empty();
    }
    if (!Files.isRegularFile(p.resolve(ServerDirectory.SYSINFO))) {
      LOG.warn("skipping {}: no sysinfo.json", p);
      return Optional.empty();
    }
    return Optional.of(new ServerDirectory(UUID.fromString(name), p));
  }

  /** Servers sorted least recently modified first, as ensure-servers picks what to delete. */
  public List<ServerDirectory> listOldestFirst() throws IOException {
    List<ServerDirectory> all = list();
    List<FileTime> times = new ArrayList<>();
    for (ServerDirectory d : all) {
      times.add(Files.getLastModifiedTime(d.dir()));
    }
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      idx.add(i);
    }
    idx.sort(Comparator.comparing(times::get));
    List<ServerDirectory> out = new ArrayList<>();
    for (int i : idx) {
      out.add(all.get(i));
    }
    return out;
  }
}
