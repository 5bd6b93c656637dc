package com.joyent.mockcloud.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replaces a file atomically, the way the reference tools do (spec net-agent-cmon-mockcloud.md
 * §1.2): write {@code <file>.<pid>.<n>} in the same directory (exclusive create), flush it to
 * disk, rename it over the target, then flush the directory. A reader, a crash or a
 * {@code kill -9} sees either the old or the new content, never a partial file.
 *
 * <p>Temp names never end in {@code .json}, so directory scanners skip them. Thread-safe;
 * callers serialise writes to the same target themselves.
 */
public final class AtomicFiles {
  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicLong SEQ = new AtomicLong();

  private AtomicFiles() {}

  /** Temp-file suffix used by this process; {@link #isTempFile} recognises any process's. */
  public static Path tempPathFor(Path target) {
    return target.resolveSibling(target.getFileName() + "." + PID + "." + SEQ.incrementAndGet());
  }

  /** True for a leftover of an interrupted write ({@code <name>.<pid>[.<n>]}). */
  public static boolean isTempFile(Path p) {
    return p.getFileName().toString().matches(".+\\.json\\.\\d+(\\.\\d+)?");
  }

  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, true);
  }

  /**
   * @param fsync force file data and the directory entry to stable storage; without it the
   *     write is still atomic against a process crash, just not against a power cut.
   */
  public static void write(Path target, byte[] content, boolean fsync) throws IOException {
    Path tmp = tempPathFor(target);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (fsync) {
          ch.force(true);
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename atomically in " + target.getParent(), e);
      }
      if (fsync) {
        forceDirectory(target.getParent());
      }
    } catch (FileAlreadyExistsException e) {
      throw new IOException("temp file already exists: " + tmp, e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes a rename durable; a no-op where the platform cannot open directories. */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Not all filesystems allow fsync on a directory; the rename itself is still atomic.
    }
  }
}
