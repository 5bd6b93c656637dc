package com.joyent.mockcloud.vm;

import java.util.Set;

/** The brands the store accepts and the one brand rule that matters (hardware VMs). Stateless. */
final class Brands {
  static final Set<String> ALL = Set.of("joyent", "joyent-minimal", "lx", "kvm", "bhyve");

  private Brands() {}

  /** kvm and bhyve keep {@code ram} and have {@code disks}. */
  static boolean isHvm(Object brand) {
    return "kvm".equals(brand) || "bhyve".equals(brand);
  }
}
