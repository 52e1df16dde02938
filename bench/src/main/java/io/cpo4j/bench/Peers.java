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
 * Runs the native peers with the system python, as {@code ../shared/peers/README.md} says:
 * {@code numpy_gemm_softmax.py} there (OpenBLAS through numpy, and torch) and
 * {@code bench/peers/torch_kernels.py} (torch for layer norm, GELU, attention, cross-entropy,
 * AdamW); reads their JSON lines. The runner calls one group of cases at a time, right before
 * the matching JMH benchmarks, so that each ratio compares figures taken minutes apart, not a
 * quarter of an hour. When python, numpy or torch are missing the figures are absent ("n/a").
 */
final class Peers {

    /** One peer figure: {@code who} names the library ("numpy", "torch", "numpy/Cooperlake"). */
    record Figure(String who, int threads, String kase, String unit, double best, double median) {}

    /** What the peers reported, and what the runner learned about them. */
    record Outcome(List<Figure> figures, String versions, String autoCore, String forcedCore, List<String> notes) {}

    private static final String PYTHON = "/usr/bin/python3";

    private final Path script, extraScript, work;
    private final boolean numpy, torch, quick, enabled;
    private final NativeRead nativeRead;
    private final String bestCore;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String versions = "n/a", autoCore = "n/a", forcedCore;
    private int runs;

    private Peers(Path peersDir, Path extraScript, Machine machine, boolean quick, Path work, boolean enabled) {
        this.script = peersDir.resolve("numpy_gemm_softmax.py");
        this.extraScript = extraScript;
        this.work = work;
        this.quick = quick;
        this.bestCore = bestCore(machine);
        this.enabled = enabled;
        this.nativeRead = new NativeRead(extraScript.resolveSibling("mem_read.c"), work, notes);
        if (!enabled) {
            notes.add("peers skipped (--no-peers)");
            numpy = torch = false;
        } else if (!Files.isRegularFile(script)) {
            notes.add("peer script not found at " + script + "; peer columns are n/a");
            numpy = torch = false;
        } else if (!Files.isExecutable(Path.of(PYTHON)) || !pythonHas("numpy") || !pythonHas("threadpoolctl")) {
            notes.add(PYTHON + " with numpy and threadpoolctl is not installed (see " + peersDir.resolve("README.md") + "); peer columns are n/a");
            numpy = torch = false;
        } else {
            numpy = true;
            torch = pythonHas("torch");
            if (!torch) notes.add("PyTorch is not installed for " + PYTHON + "; torch columns are n/a");
        }
    }

    static Peers detect(Path peersDir, Path extraScript, Machine machine, boolean quick, Path work, boolean enabled) {
        return new Peers(peersDir, extraScript, machine, quick, work, enabled);
    }

    /**
     * The matmul cases on {@code threads}: OpenBLAS as it configures itself and, when the CPU has
     * AVX-512 or AVX2 and OpenBLAS picked another (older) kernel set, again with
     * {@code OPENBLAS_CORETYPE} set to its best kernels for this CPU.
     */
    void matmul(int threads) {
        if (!numpy) return;
        String log = runScript("numpy", "square|@", threads, null, "");
        if ("n/a".equals(versions)) versions = firstMatch(log, "^# (python .*)$");
        if ("n/a".equals(autoCore)) autoCore = firstMatch(log, "'architecture': '([^']*)'");
        if (bestCore != null && !bestCore.equalsIgnoreCase(autoCore)) {
            int before = figures.size();
            runScript("numpy", "square|@", threads, bestCore, "/" + bestCore);
            if (figures.size() > before) forcedCore = bestCore;
        }
    }

    /** The softmax cases on {@code threads}: torch.softmax and the numpy ufunc version. */
    void softmax(int threads) {
        if (!numpy) return;
        String log = runScript(torch ? "both" : "numpy", "softmax", threads, null, "");
        String v = firstMatch(log, "^# (python .*)$");
        if ("n/a".equals(versions) || v.contains("torch")) versions = v;
    }

    /**
     * One GPT training step in PyTorch ({@code torch_gpt_step.py} of the peers folder) for {@code tiny}
     * (batch 16 × 128) and GPT-2 124M ({@code small}, batch 4 × 256), as tokens/s; case name = config.
     */
    void trainStep(int threads) {
        Path stepScript = script.resolveSibling("torch_gpt_step.py");
        if (!torch || !Files.isRegularFile(stepScript)) return;
        for (String config : List.of("tiny", "small")) {
            boolean tiny = config.equals("tiny");
            // clipping at 1, as the cpo4j step does (the script's default is none)
            List<String> cmd = List.of(PYTHON, stepScript.toString(), "--config", config, "--threads", Integer.toString(threads),
                    "--steps", quick ? "2" : tiny ? "20" : "5", "--warmup", quick || !tiny ? "1" : "2", "--grad-clip", "1");
            Path json = work.resolve("peers-" + (++runs) + ".jsonl");
            String log = runLogged(cmd, json, null);
            if (Files.isRegularFile(json)) figures.addAll(readTrainStep(json, ""));
            if ("n/a".equals(versions)) versions = firstMatch(log, "^\\s*# (torch \\S+)");
            // torch's matmuls go through OpenBLAS, which may not know this CPU: run again on its best kernels, as for matmul.
            String core = firstMatch(log, "# threadpool: openblas \\S+ (\\S+)");
            if (bestCore == null || bestCore.equalsIgnoreCase(core)) continue;
            Path forced = work.resolve("peers-" + (++runs) + ".jsonl");
            runLogged(cmd, forced, bestCore);
            if (Files.isRegularFile(forced)) figures.addAll(readTrainStep(forced, "/" + bestCore));
        }
    }

    /**
     * {@code bench/peers/torch_llama_step.py} on {@link LlamaTables#SHAPE}: a training step (batch 4 × 256, clipping at 1),
     * as tokens/s; case name = the config, as {@link #trainStep}.
     */
    void llamaStep(int threads) {
        runLlama(List.of("--mode", "step", "--threads", Integer.toString(threads), "--steps", quick ? "2" : "5", "--warmup", "1", "--grad-clip", "1"));
    }

    /** The same script's batch-1 decoding at {@link LlamaTables#DECODE_POSITION}, as tokens/s; case "smollm2-135m decode batch 1". */
    void llamaDecode(int threads) {
        runLlama(List.of("--mode", "decode", "--batch", "1", "--position", Integer.toString(LlamaTables.DECODE_POSITION),
                "--threads", Integer.toString(threads), "--steps", quick ? "5" : "30", "--warmup", "3"));
    }

    /** The machine's read bandwidth on {@code threads} from {@code bench/peers/mem_read.c}: needs gcc, not Python. */
    void nativeRead(int threads) {
        if (!enabled) return;
        Figure read = nativeRead.measure(threads);
        if (read != null) figures.add(read);
    }

    private void runLlama(List<String> options) {
        Path llama = extraScript.resolveSibling("torch_llama_step.py");
        if (!torch || !Files.isRegularFile(llama)) return;
        List<String> cmd = new ArrayList<>(List.of(PYTHON, llama.toString(), "--config", LlamaTables.SHAPE.name()));
        cmd.addAll(options);
        Path json = work.resolve("peers-" + (++runs) + ".jsonl");
        runLogged(cmd, json, null);
        if (Files.isRegularFile(json)) figures.addAll(readTrainStep(json, ""));
    }

    /** torch_gpt_step.py's and torch_llama_step.py's JSON lines: tokens/s of one case ("case", or else the configuration). */
    private List<Figure> readTrainStep(Path json, String suffix) {
        List<Figure> read = new ArrayList<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(json)) {
                String source = json + ":" + (++lineNo);
                if (line.isBlank()) continue;
                Map<String, Object> o = Json.parseObject(line, source);
                String kase = o.containsKey("case") ? Json.requireString(o, "case", source) : Json.requireString(o, "config", source);
                read.add(new Figure("torch" + suffix, Json.requireInt(o, "threads", 1, 1024, source), kase,
                        "tokens/s", Json.optionalDouble(o, "tok_s_best", Double.NaN, source), Json.optionalDouble(o, "tok_s_median", Double.NaN, source)));
            }
        } catch (IOException e) {
            notes.add("could not read " + json + ": " + e.getMessage());
        }
        return read;
    }

    /** bench/peers/torch_kernels.py cases whose names match {@code only}, on {@code threads}. */
    void torchKernels(String only, int threads) {
        if (!torch || !Files.isRegularFile(extraScript)) return;
        List<String> cmd = new ArrayList<>(List.of(PYTHON, extraScript.toString(), "--only", only,
                "--repeats", quick ? "2" : "7", "--min-sample", quick ? "0.05" : "0.25", "--threads", Integer.toString(threads)));
        Path json = work.resolve("peers-" + (++runs) + ".jsonl");
        runLogged(cmd, json, null);
        figures.addAll(read(json, ""));
    }

    Outcome outcome() {
        return new Outcome(List.copyOf(figures), versions, autoCore, forcedCore, List.copyOf(notes));
    }

    /** OpenBLAS 0.3.21's best kernel set for this CPU's instruction set, or null. */
    static String bestCore(Machine m) {
        if (m.hasFlag("avx512f")) return m.hasFlag("avx512_bf16") ? "Cooperlake" : "SkylakeX";
        if (m.hasFlag("avx2") && m.hasFlag("fma")) return "Haswell";
        return null;
    }

    private String runScript(String backend, String only, int threads, String coreType, String suffix) {
        List<String> cmd = List.of(PYTHON, script.toString(), "--backend", backend, "--only", only,
                "--repeats", quick ? "2" : "7", "--min-sample", quick ? "0.05" : "0.25", "--threads", Integer.toString(threads));
        Path json = work.resolve("peers-" + (++runs) + ".jsonl");
        String log = runLogged(cmd, json, coreType);
        figures.addAll(read(json, suffix));
        return log;
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

    /** Runs one peer command (its output goes to our stdout too) and returns what it printed. */
    private String runLogged(List<String> base, Path json, String coreType) {
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

    private List<Figure> read(Path json, String suffix) {
        List<Figure> read = new ArrayList<>();
        if (!Files.isRegularFile(json)) return read;
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(json)) {
                lineNo++;
                if (line.isBlank()) continue;
                String source = json + ":" + lineNo;
                Map<String, Object> o = Json.parseObject(line, source);
                read.add(new Figure(Json.requireString(o, "backend", source) + suffix,
                        Json.requireInt(o, "threads", 1, 1024, source), Json.requireString(o, "case", source),
                        Json.requireString(o, "unit", source),
                        Json.optionalDouble(o, "best", Double.NaN, source), Json.optionalDouble(o, "median", Double.NaN, source)));
            }
        } catch (IOException e) {
            notes.add("could not read peer results: " + e.getMessage());
        }
        return read;
    }

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "n/a";
    }
}
