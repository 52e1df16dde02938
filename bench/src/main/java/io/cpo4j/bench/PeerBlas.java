package io.cpo4j.bench;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which BLAS numpy and torch really run, judged from {@code bench/peers/blas_probe.py}'s JSON, so
 * that the runner never reports a ratio against a crippled peer. Seen on a fresh Debian machine:
 * numpy came with the reference BLAS (libblas3, no libopenblas0), the "OpenBLAS" peer ran at
 * 3 GFLOPS and cpo4j was reported at 49.8× it.
 *
 * <p>Two facts decide: the libraries threadpoolctl finds (it names OpenBLAS, MKL, BLIS with their
 * version, threads and file, and reports nothing for the reference BLAS), and the file that
 * defines the sgemm the peer calls through {@code libblas.so.3} with the optimised library it rests
 * on (Debian switches that file with update-alternatives; with only libblas switched, threadpoolctl
 * still sees the OpenBLAS that liblapack.so.3 loaded while every sgemm runs the reference code).
 */
final class PeerBlas {

    enum Status {
        /** An optimised BLAS: ratios against this peer mean something. */
        OPTIMISED,
        /** The library is not installed: its peer columns stay n/a. */
        ABSENT,
        /** The reference BLAS, or none that can be named, or threadpoolctl missing: the bench must stop. */
        STOP
    }

    /** The verdict on one library: {@code description} for the results header, {@code problem} when it must stop. */
    record Verdict(String library, Status status, String description, String problem) {}

    /** threadpoolctl's internal_api names of the optimised BLAS libraries. */
    static final Set<String> OPTIMISED = Set.of("openblas", "mkl", "blis", "armpl", "accelerate");
    /** File names of optimised BLAS libraries, for a file that defines sgemm itself (a wheel's bundled OpenBLAS, Accelerate). */
    private static final List<String> OPTIMISED_FILES = List.of("openblas", "mkl", "blis", "armpl", "accelerate", "veclib");

    static final String INSTALL = "apt-get install libopenblas0-pthread";

    private PeerBlas() {}

    /** Judges one probe's JSON ({@code source} names it in errors). */
    static Verdict judge(String probeJson, String source) throws FormatException {
        Map<String, Object> probe = Json.parseObject(probeJson.trim(), source);
        String library = Json.requireString(probe, "library", source);
        if (probe.get("error") instanceof String error) return new Verdict(library, Status.ABSENT, library + " not installed (" + error + ")", null);
        String who = library + " " + Json.requireString(probe, "version", source);
        if (!(probe.get("threadpool") instanceof List<?> pools)) {
            return stop(library, "cannot tell which BLAS " + who + " runs: threadpoolctl is missing (apt-get install python3-threadpoolctl)");
        }
        List<Map<?, ?>> blas = new ArrayList<>(), optimised = new ArrayList<>();
        for (Object o : pools) {
            if (o instanceof Map<?, ?> m && "blas".equals(m.get("user_api"))) {
                blas.add(m);
                if (OPTIMISED.contains(String.valueOf(m.get("internal_api")).toLowerCase(Locale.ROOT))) optimised.add(m);
            }
        }
        Map<String, String> sgemm = new LinkedHashMap<>(), backends = new LinkedHashMap<>();
        if (probe.get("sgemm") instanceof Map<?, ?> m) m.forEach((k, v) -> sgemm.put(String.valueOf(k), String.valueOf(v)));
        if (probe.get("sgemm_backend") instanceof Map<?, ?> m) m.forEach((k, v) -> { if (v != null) backends.put(String.valueOf(k), String.valueOf(v)); });

        // Each file that defines sgemm must be, or rest on, an optimised library threadpoolctl found, or be named as one.
        Map<?, ?> vouching = null;
        for (var e : sgemm.entrySet()) {
            Map<?, ?> owner = owner(e.getValue(), backends.get(e.getValue()), optimised);
            if (owner == null && !namedOptimised(e.getValue())) {
                return stop(library, who + " runs " + e.getKey() + " from " + e.getValue() + ", which is not an optimised BLAS ("
                        + (blas.isEmpty() ? "threadpoolctl finds no BLAS" : "threadpoolctl finds " + describe(blas)) + ")");
            }
            if (vouching == null) vouching = owner;
        }
        if (vouching == null && !optimised.isEmpty()) vouching = optimised.get(0);
        String via = sgemm.isEmpty() ? "" : " (sgemm from " + String.join(", ", new java.util.LinkedHashSet<>(sgemm.values())) + ")";
        if (vouching != null) return new Verdict(library, Status.OPTIMISED, who + ": " + describe(List.of(vouching)) + via, null);
        if (!sgemm.isEmpty()) return new Verdict(library, Status.OPTIMISED, who + ": BLAS" + via, null);
        if (library.equals("torch") && torchLinksMkl(probe)) {
            return new Verdict(library, Status.OPTIMISED, who + ": MKL linked into torch (BLAS_INFO=mkl)", null);
        }
        return stop(library, who + " runs no optimised BLAS: " + (blas.isEmpty() ? "threadpoolctl finds no BLAS at all (the reference BLAS is invisible to it)"
                : "threadpoolctl finds only " + describe(blas)));
    }

    private static Verdict stop(String library, String problem) {
        return new Verdict(library, Status.STOP, null, problem);
    }

    /**
     * The optimised library that {@code file} is, or that it rests on: {@code backend} is the file defining an optimised
     * BLAS's own function among {@code file}'s dependencies (Debian's OpenBLAS libblas.so.3 is a wrapper that needs
     * libopenblas.so.0; the reference BLAS needs only libc, so it has none). A library merely loaded beside it does not count.
     */
    private static Map<?, ?> owner(String file, String backend, List<Map<?, ?>> optimised) {
        for (Map<?, ?> lib : optimised) {
            String path = String.valueOf(lib.get("filepath"));
            if (path.equals(file) || path.equals(backend)) return lib;
        }
        return null;
    }

    private static boolean namedOptimised(String file) {
        String name = Path.of(file).getFileName().toString().toLowerCase(Locale.ROOT);
        return OPTIMISED_FILES.stream().anyMatch(name::contains) || file.contains("Accelerate.framework");
    }

    private static boolean torchLinksMkl(Map<String, Object> probe) {
        return Boolean.TRUE.equals(probe.get("torch_mkl")) && probe.get("torch_config") instanceof String config && config.contains("BLAS_INFO=mkl");
    }

    /** "OpenBLAS 0.3.21 (pthreads, SkylakeX, 2 threads) /usr/lib/…/libopenblasp-r0.3.21.so", joined by "; ". */
    static String describe(List<Map<?, ?>> libs) {
        List<String> parts = new ArrayList<>();
        for (Map<?, ?> lib : libs) {
            String api = String.valueOf(lib.get("internal_api"));
            String name = switch (api) {
                case "openblas" -> "OpenBLAS";
                case "mkl" -> "MKL";
                case "blis" -> "BLIS";
                default -> api;
            };
            List<String> details = new ArrayList<>();
            for (String key : List.of("threading_layer", "architecture")) if (lib.get(key) != null) details.add(String.valueOf(lib.get(key)));
            details.add(lib.get("num_threads") + " threads");
            parts.add(name + " " + lib.get("version") + " (" + String.join(", ", details) + ") " + lib.get("filepath"));
        }
        return String.join("; ", parts);
    }

    /** The message the runner stops with. */
    static String stopMessage(List<Verdict> verdicts) {
        StringBuilder why = new StringBuilder();
        for (Verdict v : verdicts) if (v.status() == Status.STOP) why.append(why.isEmpty() ? "" : "; ").append(v.problem());
        return "bench: stopped before measuring: " + why + ". A ratio against such a peer would be meaningless. Install an optimised BLAS ("
                + INSTALL + ") and check `update-alternatives --display libblas.so.3-x86_64-linux-gnu`, or run with --no-peers.";
    }

    /** Probes numpy and torch with {@code python} (as the peers run: no OpenBLAS overrides); null when python cannot run. */
    static List<Verdict> check(String python, Path probe) {
        if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(probe)) return null;
        List<Verdict> verdicts = new ArrayList<>();
        for (String library : List.of("numpy", "torch")) {
            try {
                ProcessBuilder pb = new ProcessBuilder(python, probe.toString(), library).redirectError(ProcessBuilder.Redirect.INHERIT);
                pb.environment().remove("OPENBLAS_CORETYPE");
                pb.environment().remove("OPENBLAS_L2_SIZE");
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    verdicts.add(stop(library, probe + " " + library + " failed (exit " + p.exitValue() + ")"));
                    continue;
                }
                verdicts.add(judge(out, probe + " " + library));
            } catch (FormatException e) {
                verdicts.add(stop(library, "unreadable answer from " + e.getMessage()));
            } catch (IOException e) {
                verdicts.add(stop(library, "could not run " + probe + ": " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return verdicts;
            }
        }
        return verdicts;
    }
}
