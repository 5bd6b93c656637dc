package com.joyent.mockcloud.util;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Words for a failure in a log line: the message of what a future's wrappers wrap. */
public final class Failures {
  private Failures() {}

  /**
   * The message of the failure inside {@link CompletionException}, {@link ExecutionException}
   * and {@link UncheckedIOException} wrappers, or its {@code toString()} when it has none.
   */
  public static String rootMessage(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException || c instanceof UncheckedIOException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() != null ? c.getMessage() : c.toString();
  }
}
