package dev.rolemesh.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopSignalsTest {

  @Test
  void theFirstSignalDrainsTheSecondStopsNowLaterOnesChangeNothing() {
    List<String> done = new ArrayList<>();
    StopSignals signals = new StopSignals(() -> done.add("drain"), () -> done.add("now"));

    signals.received();
    assertThat(done).containsExactly("drain");
    signals.received();
    signals.received();
    assertThat(done).containsExactly("drain", "now");
  }
}
