package com.joyent.mockcloud.cnagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.joyent.mockcloud.http.RestError;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskAdmissionTest {
  @Test
  void admit_upToThePerCnBound_thenRefuses503() {
    TaskAdmission admission = new TaskAdmission(2, 10);
    AtomicInteger cn = new AtomicInteger();
    admission.admit(cn);
    admission.admit(cn);

    assertThatThrownBy(() -> admission.admit(cn)).isInstanceOfSatisfying(RestError.class, e -> {
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.code()).isEqualTo("ServiceUnavailableError");
      assertThat(e.getMessage()).isEqualTo("CN Agent has too many tasks in flight (2); try again later");
    });
    assertThat(cn).hasValue(2);
    assertThat(admission.inFlight()).isEqualTo(2);
  }

  @Test
  void admit_overTheProcessBound_refusesAndLeavesTheCnCountAsItWas() {
    TaskAdmission admission = new TaskAdmission(5, 2);
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    admission.admit(a);
    admission.admit(b);

    assertThatThrownBy(() -> admission.admit(a)).isInstanceOfSatisfying(RestError.class,
        e -> assertThat(e.getMessage()).isEqualTo("CN Agent has too many tasks in flight (2 in this process); try again later"));
    assertThat(a).hasValue(1);
    assertThat(b).hasValue(1);
  }

  @Test
  void release_givesThePlaceBackOnce_howeverOftenCalled() {
    TaskAdmission admission = new TaskAdmission(1, 1);
    AtomicInteger cn = new AtomicInteger();
    TaskAdmission.Slot slot = admission.admit(cn);

    slot.release();
    slot.release();

    assertThat(cn).hasValue(0);
    assertThat(admission.inFlight()).isZero();
    admission.admit(cn);
    assertThat(cn).hasValue(1);
  }

  @Test
  void constructor_nonPositiveBound_isRejected() {
    assertThatThrownBy(() -> new TaskAdmission(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskAdmission(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
