package io.cpo4j.bench;

import io.cpo4j.engine.kernels.Simd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the figures were measured on: JDK, CPU, vector width, cores and how busy the machine was. */
record Machine(String jdk, String cpu, String cpuFlags, int cores, int vectorBits, int floatLanes) {

    static Machine describe() {
        String model = "unknown CPU", flags = "";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name") && model.startsWith("unknown")) model = l.substring(l.indexOf(':') + 1).trim();
                if ((l.startsWith("flags") || l.startsWith("Features")) && flags.isEmpty()) flags = l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            model = System.getProperty("os.arch") + " (no /proc/cpuinfo)";
        }
        return new Machine(System.getProperty("java.vm.name") + " " + Runtime.version(), model, flags,
                Runtime.getRuntime().availableProcessors(), Simd.vectorBits(), Simd.floatLanes());
    }

    boolean hasFlag(String flag) {
        return (" " + cpuFlags + " ").contains(" " + flag + " ");
    }

    /** The three load averages from /proc/loadavg, or "n/a". */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.format(Locale.ROOT, "%s %s %s", parts[0], parts[1], parts[2]);
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Instruction-set summary for the report. */
    String isa() {
        if (hasFlag("avx512f")) return hasFlag("avx512_bf16") ? "AVX-512 (with BF16), FMA3" : "AVX-512, FMA3";
        if (hasFlag("avx2")) return hasFlag("fma") ? "AVX2, FMA3" : "AVX2";
        if (hasFlag("asimd")) return "AArch64 ASIMD";
        return "unknown";
    }
}
