package com.joyent.mockcloud.cnagent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The signal of {@code vmadm kill -s <signal>} as vmadm resolves it on a SmartOS CN: a string
 * of digits is a signal number, a name is taken with or without its {@code SIG} prefix
 * (case matters), anything else is an unknown signal and vmadm fails. No signal is SIGTERM.
 * The names and numbers are node's signal constants on illumos, which vmadm uses.
 *
 * <p>What the signal does to the VM: vmadm sends it to the VM's init process (the qemu or
 * bhyve process of a hardware VM). Signal 0 only probes, and a signal whose default action is
 * to ignore, continue or stop a process leaves the VM running; every other signal ends init
 * and with it the VM. Immutable.
 */
record KillSignal(String name, boolean endsVm) {
  private static final Map<String, Integer> ILLUMOS = new LinkedHashMap<>();
  /** Default action ignore (CHLD, PWR, WINCH, URG), continue (CONT) or stop (STOP, TSTP, TTIN, TTOU). */
  private static final Set<String> HARMLESS = Set.of("SIGCHLD", "SIGPWR", "SIGWINCH", "SIGURG", "SIGCONT",
      "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU");

  static {
    Object[] table = {"SIGHUP", 1, "SIGINT", 2, "SIGQUIT", 3, "SIGILL", 4, "SIGTRAP", 5, "SIGABRT", 6, "SIGIOT", 6,
        "SIGFPE", 8, "SIGKILL", 9, "SIGBUS", 10, "SIGSEGV", 11, "SIGSYS", 12, "SIGPIPE", 13, "SIGALRM", 14,
        "SIGTERM", 15, "SIGUSR1", 16, "SIGUSR2", 17, "SIGCHLD", 18, "SIGPWR", 19, "SIGWINCH", 20, "SIGURG", 21,
        "SIGIO", 22, "SIGPOLL", 22, "SIGSTOP", 23, "SIGTSTP", 24, "SIGCONT", 25, "SIGTTIN", 26, "SIGTTOU", 27,
        "SIGVTALRM", 28, "SIGPROF", 29, "SIGXCPU", 30, "SIGXFSZ", 31, "SIGLOST", 37};
    for (int i = 0; i < table.length; i += 2) {
      ILLUMOS.put((String) table[i], (Integer) table[i + 1]);
    }
  }

  /** Thrown for a signal vmadm does not know; its message is vmadm's. */
  static final class UnknownSignal extends Exception {
    UnknownSignal(String signal) {
      super("Unknown signal \"" + signal + "\"");
    }
  }

  /** Resolves what vmadm would send for {@code signal} (null or empty: the default, SIGTERM). */
  static KillSignal resolve(String signal) throws UnknownSignal {
    if (signal == null || signal.isEmpty()) {
      return of("SIGTERM");
    }
    if (signal.matches("[0-9]+")) {
      long n;
      try {
        n = Long.parseLong(signal);
      } catch (NumberFormatException e) {
        n = -1; // too many digits for any signal
      }
      if (n == 0) {
        return new KillSignal("0", false);
      }
      String found = null;
      for (Map.Entry<String, Integer> e : ILLUMOS.entrySet()) {
        if (e.getValue() == n) {
          found = e.getKey(); // the last name of a number wins, as in vmadm's loop
        }
      }
      // A number that names no signal reaches node's process.kill as undefined: SIGTERM.
      return of(found != null ? found : "SIGTERM");
    }
    if (signal.startsWith("SIG") && ILLUMOS.containsKey(signal)) {
      return of(signal);
    }
    if (ILLUMOS.containsKey("SIG" + signal)) {
      return of("SIG" + signal);
    }
    throw new UnknownSignal(signal);
  }

  private static KillSignal of(String name) {
    return new KillSignal(name, !HARMLESS.contains(name));
  }
}
