package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortAllocatorTest {
  @Test
  void zeroBase_letsTheOsChooseEveryPort() {
    PortAllocator p = new PortAllocator(0);
    assertThat(p.osChosen()).isTrue();
    assertThat(p.next()).isZero();
    assertThat(p.next()).isZero();
  }

  @Test
  void base_countsUpAndStopsAtTheLastPort() {
    PortAllocator p = new PortAllocator(65534);
    assertThat(p.next()).isEqualTo(65534);
    assertThat(p.next()).isEqualTo(65535);
    assertThatThrownBy(p::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("no ports left");
  }

  @Test
  void invalidBase_isRejectedWithTheRule() {
    assertThatThrownBy(() -> new PortAllocator(70000)).hasMessageContaining("between 1 and 65535");
  }
}
