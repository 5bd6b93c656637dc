package com.joyent.mockcloud.cnagent;

/**
 * A task died the way an assertion kills the reference's worker process. The message is
 * for our log only; the caller sees "Child task process X did not terminate cleanly. (1)".
 */
public final class TaskCrash extends RuntimeException {
  public TaskCrash(String message) {
    super(message, null, false, false);
  }
}
