package io.capnet.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnixLimitsTest {
  @Test
  void theDefaultIsSixteenDescriptorsPerFrame() {
    assertThat(UnixLimits.DEFAULT.maxFdsPerFrame()).isEqualTo(16);
  }

  @Test
  void zeroToFiftyNineAreAccepted() {
    assertThat(UnixLimits.DEFAULT.withMaxFdsPerFrame(0).maxFdsPerFrame()).isZero();
    assertThat(UnixLimits.DEFAULT.withMaxFdsPerFrame(59).maxFdsPerFrame()).isEqualTo(59);
  }

  @Test
  void valuesOutsideTheRangeAreRefused() {
    assertThatThrownBy(() -> new UnixLimits(60))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFdsPerFrame must be between 0 and 59, was 60");
    assertThatThrownBy(() -> new UnixLimits(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFdsPerFrame must be between 0 and 59, was -1");
  }
}
