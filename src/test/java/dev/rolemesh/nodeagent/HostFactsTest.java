package dev.rolemesh.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostFactsTest {

  private static HostFacts withGpus(List<HostFacts.Gpu> gpus, String gpuError) {
    return new HostFacts("box", 4, 1, 1, gpus, gpuError);
  }

  @Test
  void configuredGpusThatNvidiaSmiDoesNotShowAreNamed() {
    HostFacts cpuOnly = withGpus(List.of(), null);
    assertThat(cpuOnly.missingGpus(List.of(0, 1))).startsWith("gpus lists 0, 1 but nvidia-smi shows no GPU;");

    HostFacts failing = withGpus(List.of(), "nvidia-smi exited with 9");
    assertThat(failing.missingGpus(List.of(0))).contains("shows no GPU (nvidia-smi exited with 9)");

    HostFacts oneGpu = withGpus(List.of(new HostFacts.Gpu(0, "Tesla P40", 24576, 0)), null);
    assertThat(oneGpu.missingGpus(List.of(0, 2))).startsWith("gpus lists 2 but nvidia-smi shows only 0;");
  }

  @Test
  void nothingToSayWhenEveryGpuIsThereOrNoneIsConfigured() {
    HostFacts twoGpus = withGpus(List.of(new HostFacts.Gpu(0, "A", 1, 0), new HostFacts.Gpu(1, "B", 1, 0)), null);
    assertThat(twoGpus.missingGpus(List.of(1, 0))).isNull();
    assertThat(withGpus(List.of(), null).missingGpus(List.of())).isNull();
  }
}
