package io.cpo4j.bench;

import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the native peers of {@code ../shared/peers} (OpenBLAS through numpy, PyTorch) with the
 * system python, as that folder's README says, and {@code bench/peers/torch_kernels.py} (PyTorch
 * for layer norm, GELU, attention, cross-entropy, AdamW), and reads their JSON lines. When python, numpy or
 * torch are missing, the peers are simply absent and the report shows "n/a".
 */
final class Peers {

    /** One peer figure: {@code who} names the library ("numpy", "torch", "numpy/Cooperlake"). */
    record Figure(String who, int threads, String kase, String unit, double best, double median) {}

    /** What the peers reported, and what the runner learned about them. */
    record Outcome(List<Figure> figures, String versions, String autoCore, String forcedCore, List<String> notes) {}

    private static final String PYTHON = "/usr/bin/python3";

    private Peers() {}

    /**
     * Runs numpy_gemm_softmax.py for both backends on the given thread counts; when the CPU has
     * AVX-512 or AVX2 and OpenBLAS picked a different (older) kernel set, the matmul cases run a
     * second time with {@code OPENBLAS_CORETYPE} set to the best kernels for this CPU.
     */
    static Outcome run(Path peersDir, Path extraScript, Machine machine, List<Integer> threads, boolean quick, Path work) {
        List<String> notes = new ArrayList<>();
        Path script = peersDir.resolve("numpy_gemm_softmax.py");
        if (!Files.isRegularFile(script)) {
            notes.add("peer script not found at " + script + "; peer columns are n/a");
            return new Outcome(List.of(), "n/a", "n/a", null, notes);
        }
        if (!Files.isExecutable(Path.of(PYTHON)) || !pythonHas("numpy") || !pythonHas("threadpoolctl")) {
            notes.add(PYTHON + " with numpy and threadpoolctl is not installed (see " + peersDir.resolve("README.md") + "); peer columns are n/a");
            return new Outcome(List.of(), "n/a", "n/a", null, notes);
        }
        boolean torch = pythonHas("torch");
        if (!torch) notes.add("PyTorch is not installed for " + PYTHON + "; torch columns are n/a");
        List<String> base = new ArrayList<>(List.of(PYTHON, script.toString(), "--backend", torch ? "both" : "numpy",
                "--repeats", quick ? "2" : "7", "--min-sample", quick ? "0.05" : "0.25", "--threads"));
        for (int t : threads) base.add(Integer.toString(t));

        List<Figure> figures = new ArrayList<>();
        Path json = work.resolve("peers.jsonl");
        String log = runLogged(base, json, null, notes);
        figures.addAll(read(json, "", notes));
        String versions = firstMatch(log, "^# (python .*)$");
        String autoCore = firstMatch(log, "'architecture': '([^']*)'");

        String best = bestCore(machine);
        String forced = null;
        if (best != null && !best.equalsIgnoreCase(autoCore)) {
            List<String> cmd = new ArrayList<>(base);
            cmd.set(cmd.indexOf("--backend") + 1, "numpy");
            cmd.addAll(List.of("--only", "square|@"));
            Path forcedJson = work.resolve("peers-" + best + ".jsonl");
            runLogged(cmd, forcedJson, best, notes);
            List<Figure> more = read(forcedJson, "/" + best, notes);
            if (!more.isEmpty()) {
                forced = best;
                figures.addAll(more);
            }
        }
        if (torch && Files.isRegularFile(extraScript)) {
            List<String> cmd = new ArrayList<>(List.of(PYTHON, extraScript.toString(),
                    "--repeats", quick ? "2" : "7", "--min-sample", quick ? "0.05" : "0.25", "--threads"));
            for (int t : threads) cmd.add(Integer.toString(t));
            Path extraJson = work.resolve("peers-torch-kernels.jsonl");
            runLogged(cmd, extraJson, null, notes);
            figures.addAll(read(extraJson, "", notes));
        }
        return new Outcome(figures, versions, autoCore, forced, notes);
    }

    /** OpenBLAS 0.3.21's best kernel set for this CPU's instruction set, or null. */
    static String bestCore(Machine m) {
        if (m.hasFlag("avx512f")) return m.hasFlag("avx512_bf16") ? "Cooperlake" : "SkylakeX";
        if (m.hasFlag("avx2") && m.hasFlag("fma")) return "Haswell";
        return null;
    }

    private static boolean pythonHas(String module) {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + module).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs one peer command (its own output goes to our stdout too) and returns what it printed. */
    private static String runLogged(List<String> base, Path json, String coreType, List<String> notes) {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of("--json", json.toString()));
        try {
            Files.deleteIfExists(json);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // As the peers README says: no OpenBLAS overrides, unless we force the kernel set on purpose.
            pb.environment().remove("OPENBLAS_L2_SIZE");
            pb.environment().remove("OPENBLAS_CORETYPE");
            if (coreType != null) pb.environment().put("OPENBLAS_CORETYPE", coreType);
            System.out.println("# peer: " + (coreType != null ? "OPENBLAS_CORETYPE=" + coreType + " " : "") + String.join(" ", cmd));
            Process p = pb.start();
            StringBuilder out = new StringBuilder();
            try (var reader = p.inputReader()) {
                for (String line; (line = reader.readLine()) != null; ) {
                    System.out.println("  " + line);
                    out.append(line).append('\n');
                }
            }
            if (p.waitFor() != 0) notes.add("peer command exited with " + p.exitValue() + ": " + String.join(" ", cmd));
            return out.toString();
        } catch (IOException e) {
            notes.add("could not run the peers: " + e.getMessage());
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<Figure> read(Path json, String suffix, List<String> notes) {
        List<Figure> figures = new ArrayList<>();
        if (!Files.isRegularFile(json)) return figures;
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(json)) {
                lineNo++;
                if (line.isBlank()) continue;
                String source = json + ":" + lineNo;
                Map<String, Object> o = Json.parseObject(line, source);
                figures.add(new Figure(Json.requireString(o, "backend", source) + suffix,
                        Json.requireInt(o, "threads", 1, 1024, source), Json.requireString(o, "case", source),
                        Json.requireString(o, "unit", source),
                        Json.optionalDouble(o, "best", Double.NaN, source), Json.optionalDouble(o, "median", Double.NaN, source)));
            }
        } catch (IOException e) {
            notes.add("could not read peer results: " + e.getMessage());
        }
        return figures;
    }

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "n/a";
    }
}
