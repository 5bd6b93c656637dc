package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FdBudgetTest {
  @Test
  void plan_dropsTheChangefeedBeforeTheListeners() {
    assertThat(FdBudget.plan(2_000, 20_000)).isEqualTo(FdBudget.Plan.PER_CN_CHANGEFEED);
    assertThat(FdBudget.plan(9_500, 20_000)).isEqualTo(FdBudget.Plan.PER_CN_CHANGEFEED);
    assertThat(FdBudget.plan(10_000, 20_000)).isEqualTo(FdBudget.Plan.NO_CHANGEFEED);
    assertThat(FdBudget.plan(19_001, 20_000)).isEqualTo(FdBudget.Plan.TOO_FEW);
    assertThat(FdBudget.need(10_000, FdBudget.Plan.PER_CN_CHANGEFEED)).isEqualTo(21_000);
  }

  @Test
  void limit_isThisProcessesOpenFileLimit() {
    assertThat(FdBudget.limit()).isGreaterThan(100);
  }
}
