package com.joyent.mockcloud.vm;

import com.joyent.mockcloud.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The only way the VM store touches disk, so tests can make a chosen write, rename or delete
 * fail ({@code FaultyVmFileSystem}). Implementations must be thread-safe. Racy by nature: a
 * file listed by {@link #list} may be gone by the time it is read (callers handle
 * {@link NoSuchFileException} / a null {@link #stat}).
 */
public interface VmFileSystem {
  /** Size and mtime of a file. */
  record Stamp(long mtimeMillis, long size) {}

  /** The real disk: {@link AtomicFiles} (temp + fsync + rename + directory fsync). */
  VmFileSystem SYSTEM = new VmFileSystem() {};

  /**
   * The real disk without fsync: still atomic against a process crash or {@code kill -9}, not
   * against a power cut. For benchmarks and throw-away fleets.
   */
  VmFileSystem NO_FSYNC = new VmFileSystem() {
    @Override
    public void writeAtomically(Path file, byte[] content) throws IOException {
      AtomicFiles.write(file, content, false);
    }
  };

  /** Names of the entries of {@code dir}. */
  default List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    }
    return names;
  }

  default byte[] read(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  /** Null if the file does not exist. */
  default Stamp stat(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toMillis(), a.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Temp file in the same directory, write, fsync, rename over {@code file}, fsync the directory. */
  default void writeAtomically(Path file, byte[] content) throws IOException {
    AtomicFiles.write(file, content, true);
  }

  default void setMtime(Path file, long mtimeMillis) throws IOException {
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
  }

  /** False if the file was not there. */
  default boolean delete(Path file) throws IOException {
    return Files.deleteIfExists(file);
  }

  default void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }
}
