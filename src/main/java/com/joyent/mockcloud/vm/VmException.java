package com.joyent.mockcloud.vm;

/**
 * The one error type of the VM store: a message meant for humans (and for task error bodies)
 * plus an optional restify-style {@link #restCode()}. cn-agent renders it as
 * {@code {"error": message, "details": {"restCode": restCode}}} (details only when the code is
 * not null). Immutable; no stack trace is captured for the expected kinds.
 */
public final class VmException extends RuntimeException {
  /** What went wrong; decides {@link #restCode()}. */
  public enum Kind {
    /** The VM (or its server) is not there. restCode {@code VmNotFound}. */
    NOT_FOUND("VmNotFound"),
    /** create of a uuid that already has a file. restCode {@code VmExists}. */
    EXISTS("VmExists"),
    /** The payload is invalid; nothing was written. restCode {@code ValidationFailed}. */
    INVALID("ValidationFailed"),
    /** A snapshot name that does not exist (the reference error has no restCode). */
    NO_SNAPSHOT(null),
    /** The operation is not supported for this VM (e.g. info on a zone). */
    NOT_SUPPORTED("NotImplemented"),
    /** Disk trouble; the VM file is unchanged. */
    IO(null);

    private final String restCode;

    Kind(String restCode) {
      this.restCode = restCode;
    }
  }

  private final Kind kind;

  private VmException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, cause != null);
    this.kind = kind;
  }

  /** The canonical "no such VM" error (spec §2.0, decision D9), whatever the operation. */
  public static VmException notFound(String vmUuid) {
    return new VmException(Kind.NOT_FOUND, "vmadm load " + vmUuid + " failed: No such zone", null);
  }

  /** Same message cn-agent's machine_create uses for an existing VM. */
  public static VmException exists(String vmUuid) {
    return new VmException(Kind.EXISTS, "Machine " + vmUuid + " exists.", null);
  }

  public static VmException invalid(String message) {
    return new VmException(Kind.INVALID, message, null);
  }

  public static VmException noSnapshot(String vmUuid, String name) {
    return new VmException(Kind.NO_SNAPSHOT, "No snapshot named \"" + name + "\" for " + vmUuid, null);
  }

  public static VmException notSupported(String message) {
    return new VmException(Kind.NOT_SUPPORTED, message, null);
  }

  public static VmException io(String message, Throwable cause) {
    return new VmException(Kind.IO, message, cause);
  }

  public Kind kind() {
    return kind;
  }

  /** restify-style code for task error details, or null when the reference has none. */
  public String restCode() {
    return kind.restCode;
  }
}
