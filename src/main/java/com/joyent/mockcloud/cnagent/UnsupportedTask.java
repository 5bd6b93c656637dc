package com.joyent.mockcloud.cnagent;

/**
 * A task of the smartos backend whose effect a mock CN cannot honestly produce (a command run
 * inside a zone, a docker build, a screenshot, a migration, an image made of a zone's
 * dataset). It fails as a real task fails — an {@code error} event, then {@code finish}, so the
 * answer is 500 {@code {"error": "<task> is not supported on a mock CN: <why>"}} (plus
 * {@code req_id} when the params carry one) and CNAPI records the task as failed with that
 * message. Nothing is changed.
 */
final class UnsupportedTask {
  private UnsupportedTask() {}

  static Task because(String task, String why) {
    String message = task + " is not supported on a mock CN: " + why;
    return Task.sync(ctx -> {
      ctx.log(message);
      ctx.fatal(message);
    });
  }
}
