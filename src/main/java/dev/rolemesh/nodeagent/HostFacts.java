package dev.rolemesh.nodeagent;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the host has: CPUs, memory and, when {@code nvidia-smi} is there, each GPU's name and memory. Gathering it
 * blocks (it runs a program), so callers run {@link #probe} on a worker thread.
 *
 * @param gpus empty on a host without NVIDIA GPUs, or when nvidia-smi is missing or fails
 * @param gpuError why nvidia-smi gave no answer although it exists, or null
 */
record HostFacts(String hostname, int cpus, long ramTotalBytes, long ramFreeBytes, List<Gpu> gpus, String gpuError) {

  private static final long NVIDIA_SMI_TIMEOUT_S = 10;
  private static final String QUERY = "--query-gpu=index,name,memory.total,memory.used";

  /** @param memoryTotalMib as nvidia-smi reports it, or -1 when it reports none */
  record Gpu(int index, String name, long memoryTotalMib, long memoryUsedMib) {}

  static HostFacts probe(String nvidiaSmi) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<Gpu> gpus = List.of();
    String gpuError = null;
    try {
      gpus = parseCsv(run(nvidiaSmi, QUERY, "--format=csv,noheader,nounits"));
    } catch (NoNvidiaSmi absent) {
      // A CPU-only host: nothing to report.
    } catch (IOException e) {
      gpuError = e.getMessage();
    }
    return new HostFacts(localHostname(), Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize(),
        os.getFreeMemorySize(), gpus, gpuError);
  }

  /**
   * Null when every configured GPU index is one nvidia-smi shows, else a warning naming those it does not show. They
   * still get a server each (with that CUDA_VISIBLE_DEVICES), which is right for bin/rolemesh-sim or a CPU build
   * standing in for llama-server, and a mistake otherwise.
   */
  String missingGpus(List<Integer> configured) {
    List<Integer> shown = gpus.stream().map(Gpu::index).toList();
    List<Integer> missing = configured.stream().filter(index -> !shown.contains(index)).toList();
    if (missing.isEmpty()) {
      return null;
    }
    String seen = shown.isEmpty()
        ? "nvidia-smi shows no GPU" + (gpuError == null ? "" : " (" + gpuError + ")")
        : "nvidia-smi shows only " + join(shown);
    return "gpus lists " + join(missing) + " but " + seen + "; each still gets a llama-server with"
        + " CUDA_VISIBLE_DEVICES set to its index, which only suits a CPU build or bin/rolemesh-sim";
  }

  private static String join(List<Integer> indexes) {
    return String.join(", ", indexes.stream().map(String::valueOf).toList());
  }

  /** Lines such as {@code 0, Tesla P40, 24576, 120}; lines that do not parse are skipped. */
  static List<Gpu> parseCsv(String csv) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      String[] fields = line.split(",");
      if (fields.length < 4) {
        continue;
      }
      try {
        // A GPU name may itself contain commas: the fields around it are fixed.
        int last = fields.length - 1;
        String name = String.join(",", Arrays.copyOfRange(fields, 1, last - 1)).strip();
        gpus.add(new Gpu(Integer.parseInt(fields[0].strip()), name, mib(fields[last - 1]), mib(fields[last])));
      } catch (NumberFormatException e) {
        // A header or a warning line.
      }
    }
    return List.copyOf(gpus);
  }

  private static long mib(String field) {
    String value = field.strip();
    return value.equals("[N/A]") || value.equals("N/A") ? -1 : Long.parseLong(value);
  }

  private static final class NoNvidiaSmi extends Exception {
    NoNvidiaSmi() {
      super(null, null, false, false);
    }
  }

  private static String run(String... command) throws IOException, NoNvidiaSmi {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new NoNvidiaSmi();
    }
    try {
      // The output is a line per GPU, far below a pipe's buffer, so waiting before reading cannot stall it.
      if (!process.waitFor(NVIDIA_SMI_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(command[0] + " did not finish within " + NVIDIA_SMI_TIMEOUT_S + "s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(command[0] + " exited with code " + process.exitValue());
      }
      return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while running " + command[0], e);
    }
  }

  private static String localHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }
}
