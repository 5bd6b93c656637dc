package com.joyent.mockcloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.joyent.mockcloud.netagent.ChangefeedMode;
import org.junit.jupiter.api.Test;

class FdBudgetTest {
  @Test
  void plan_sharesTheChangefeedBeforeTheListenersRunOut() {
    assertThat(FdBudget.plan(2_000, 20_000)).isEqualTo(FdBudget.Plan.PER_CN_CHANGEFEED);
    assertThat(FdBudget.plan(9_500, 20_000)).isEqualTo(FdBudget.Plan.PER_CN_CHANGEFEED);
    assertThat(FdBudget.plan(9_501, 20_000)).isEqualTo(FdBudget.Plan.SHARED_CHANGEFEED);
    assertThat(FdBudget.plan(10_000, 20_000)).isEqualTo(FdBudget.Plan.SHARED_CHANGEFEED);
    assertThat(FdBudget.plan(18_999, 20_000)).isEqualTo(FdBudget.Plan.SHARED_CHANGEFEED);
    assertThat(FdBudget.plan(19_000, 20_000)).isEqualTo(FdBudget.Plan.TOO_FEW);
  }

  @Test
  void need_countsOneSocketForTheSharedChangefeed() {
    assertThat(FdBudget.need(10_000, ChangefeedMode.PER_CN)).isEqualTo(21_000);
    assertThat(FdBudget.need(10_000, ChangefeedMode.SHARED)).isEqualTo(11_001);
    assertThat(FdBudget.need(10_000, ChangefeedMode.OFF)).isEqualTo(11_000);
  }

  @Test
  void choose_autoLowLimit_picksShared() {
    long limit = 4_096; // a common default hard limit
    FdBudget.Plan plan = FdBudget.plan(2_000, limit);
    assertThat(FdBudget.choose(ChangefeedMode.AUTO, plan)).isEqualTo(ChangefeedMode.SHARED);
    assertThat(FdBudget.choose(ChangefeedMode.AUTO, FdBudget.plan(10_000, limit))).isEqualTo(ChangefeedMode.SHARED);
  }

  @Test
  void choose_autoRoomForASocketPerCn_picksPerCn() {
    assertThat(FdBudget.choose(ChangefeedMode.AUTO, FdBudget.plan(1_500, 4_096))).isEqualTo(ChangefeedMode.PER_CN);
    assertThat(FdBudget.choose(ChangefeedMode.AUTO, FdBudget.plan(10_000, 1_048_576)))
        .isEqualTo(ChangefeedMode.PER_CN);
  }

  @Test
  void choose_explicitMode_isKeptWhateverTheLimit() {
    for (FdBudget.Plan plan : FdBudget.Plan.values()) {
      assertThat(FdBudget.choose(ChangefeedMode.PER_CN, plan)).isEqualTo(ChangefeedMode.PER_CN);
      assertThat(FdBudget.choose(ChangefeedMode.SHARED, plan)).isEqualTo(ChangefeedMode.SHARED);
      assertThat(FdBudget.choose(ChangefeedMode.OFF, plan)).isEqualTo(ChangefeedMode.OFF);
    }
  }

  @Test
  void resolve_autoGoesSharedWhenASocketPerCnDoesNotFit_andNeverAnswersAuto() {
    long perCn = FdBudget.need(3, ChangefeedMode.PER_CN);
    assertThat(FdBudget.resolve(ChangefeedMode.AUTO, 3, perCn, true)).isEqualTo(ChangefeedMode.PER_CN);
    assertThat(FdBudget.resolve(ChangefeedMode.AUTO, 3, perCn - 1, true)).isEqualTo(ChangefeedMode.SHARED);
    assertThat(FdBudget.resolve(ChangefeedMode.AUTO, 3, perCn - 1, false)).isEqualTo(ChangefeedMode.SHARED);
    assertThat(FdBudget.resolve(ChangefeedMode.OFF, 3, 10, true)).isEqualTo(ChangefeedMode.OFF);
  }

  @Test
  void limit_isThisProcessesOpenFileLimit() {
    assertThat(FdBudget.limit()).isGreaterThan(100);
  }
}
