package com.joyent.mockcloud.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** Whole directory trees on disk. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code p} and everything under it, deepest first; nothing when it does not exist.
   * Symbolic links are deleted, not followed.
   */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (var walk = Files.walk(p)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path q : all) {
      Files.deleteIfExists(q);
    }
  }
}
