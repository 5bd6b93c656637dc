package com.joyent.mockcloud.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The real disk, with switches: make the next writes fail before the rename (the target is
 * untouched, as when the temp write or the rename fails), fail just after the rename, or pin
 * every written file's mtime to one value (a filesystem whose clock does not move).
 */
final class FaultyVmFileSystem implements VmFileSystem {
  volatile boolean failBeforeRename;
  volatile boolean failAfterRename;
  volatile Long pinnedMtime;

  @Override
  public void writeAtomically(Path file, byte[] content) throws IOException {
    if (failBeforeRename) {
      // What a failed temp write or rename leaves behind: a temp file, never the target.
      Path tmp = file.resolveSibling(file.getFileName() + ".999.1");
      Files.write(tmp, java.util.Arrays.copyOf(content, content.length / 2));
      Files.delete(tmp);
      throw new IOException("injected: rename " + tmp + " failed");
    }
    VmFileSystem.SYSTEM.writeAtomically(file, content);
    if (pinnedMtime != null) {
      Files.setLastModifiedTime(file, FileTime.fromMillis(pinnedMtime));
    }
  }

  @Override
  public Stamp stat(Path file) throws IOException {
    if (failAfterRename) {
      failAfterRename = false;
      throw new IOException("injected: stat after rename failed");
    }
    return VmFileSystem.SYSTEM.stat(file);
  }
}
