package io.cpo4j.model.train;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.hf.PeftAdapters;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Training checkpoints in {@code <dir>/step-00000100/}: the model as a HuggingFace folder
 * ({@code config.json}, {@code model.safetensors}) plus {@code trainer.safetensors} with AdamW's
 * moments and, in its metadata, the step, the random streams' states, the data positions and the
 * training config. A model with LoRA adapters saves {@code config.json} and its PEFT adapter files
 * instead of the weights: the frozen base never changes. Each folder is written under a temporary
 * name and renamed when complete, so the newest {@code step-*} folder is always whole.
 *
 * <p>Each checkpoint records the loss of the step before it and whether that loss was finite.
 * Pruning keeps the newest {@code keep}, and also the newest finite one, so that a run that goes
 * bad never deletes its last good state. A run that diverges saves its state once more in
 * {@code step-N-diverged/}, for inspection only: it is neither listed, nor resumed from, nor
 * pruned, and its saving prunes nothing. Step numbers of any width are read (names are written
 * zero-padded to 8 digits) and ordered by value.
 */
public final class Checkpoints {

    static final String STATE = "trainer.safetensors";
    private static final String PREFIX = "step-", DIVERGED = "-diverged";
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(PREFIX + "(\\d+)");

    private final Path dir;
    private final int keep;
    private final int eosTokenId;

    public Checkpoints(Path dir, int keep, int eosTokenId) {
        this.dir = dir;
        this.keep = keep;
        this.eosTokenId = eosTokenId;
    }

    public Path directory() {
        return dir;
    }

    /** Writes a checkpoint whose loss was not recorded (taken as good) and prunes old ones; returns its folder. */
    public Path save(Trainer trainer) throws IOException {
        return save(trainer, null);
    }

    /**
     * Writes a checkpoint of the trainer's current state, recording {@code loss} (that of the last
     * step; null when unknown), and prunes old ones; returns its folder.
     */
    public Path save(Trainer trainer, Double loss) throws IOException {
        Path target = write(trainer, String.format("%s%08d", PREFIX, trainer.stepsDone()), loss, false);
        prune();
        return target;
    }

    /**
     * Saves the state a diverged run stopped in, in {@code step-N-diverged/}: kept for
     * inspection, never resumed from, never pruned; nothing else is pruned either.
     */
    public Path saveDiverged(Trainer trainer, Double loss) throws IOException {
        return write(trainer, String.format("%s%08d%s", PREFIX, trainer.stepsDone(), DIVERGED), loss, true);
    }

    private Path write(Trainer trainer, String name, Double loss, boolean diverged) throws IOException {
        Files.createDirectories(dir);
        removeUnfinished();
        Path target = dir.resolve(name);
        // a plain createDirectory: the umask's permissions, not createTempDirectory's owner-only 0700
        Path tmp = Files.createDirectory(dir.resolve(io.cpo4j.engine.io.AtomicFiles.tempName(name, "")));
        try {
            write(trainer, tmp, loss, diverged);
            if (Files.exists(target)) deleteTree(target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            io.cpo4j.engine.io.AtomicFiles.syncDirectory(dir);
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
        return target;
    }

    /** The newest complete checkpoint whose loss was finite (the one to resume from), if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) if (isGood(all.get(i))) return Optional.of(all.get(i));
        return Optional.empty();
    }

    /** Complete checkpoint folders (not the diverged ones), oldest first by step number. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(Checkpoints::stepOf)).toList();
        }
    }

    /** The step number in a {@code step-N} name, of any width. */
    static java.math.BigInteger stepOf(Path folder) {
        var m = NAME.matcher(folder.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(folder + " is not a step-N checkpoint folder");
        return new java.math.BigInteger(m.group(1));
    }

    /**
     * Whether a checkpoint holds a good state: its recorded loss was finite. Checkpoints that
     * recorded no loss (written before losses were recorded) count as good.
     */
    public static boolean isGood(Path folder) throws IOException {
        Map<String, String> meta = SafeTensors.open(folder.resolve(STATE)).metadata();
        return !"true".equals(meta.get("diverged")) && !"false".equals(meta.get("finite"));
    }

    /** Temporary folders left by a process killed while writing a checkpoint. */
    private void removeUnfinished() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("." + PREFIX) && Files.isDirectory(p)).toList()) deleteTree(p);
        }
    }

    /** Deletes all but the newest {@code keep} checkpoints and the newest good one. */
    private void prune() throws IOException {
        List<Path> all = new ArrayList<>(list());
        Path good = latest().orElse(null);
        for (int i = 0; i < all.size() - keep; i++) if (!all.get(i).equals(good)) deleteTree(all.get(i));
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    private void write(Trainer t, Path folder, Double loss, boolean diverged) throws IOException {
        if (t.model().lora().isPresent()) {             // the frozen base never changes: the adapters and the config suffice
            PeftAdapters.save(t.model(), folder, null);
            HfCheckpoint.saveConfig(t.model().config(), folder, eosTokenId, eosTokenId);
        } else {
            HfCheckpoint.save(t.model(), folder, eosTokenId);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "cpo4j-trainer-1");
        meta.put("step", Integer.toString(t.stepsDone()));
        if (loss != null) {
            meta.put("loss", Double.toString(loss));
            meta.put("finite", Boolean.toString(Double.isFinite(loss) && !diverged));
        }
        if (diverged) meta.put("diverged", "true");
        meta.put("bad_steps", Integer.toString(t.badSteps()));
        meta.put("dropout_rng", Long.toString(t.model().dropoutRng().state()));
        meta.put("train_config", Json.write(t.config().toJson()));
        for (Map.Entry<String, Long> e : t.objective().state().entrySet()) meta.put("objective." + e.getKey(), Long.toString(e.getValue()));
        int n = t.model().parameters().count();
        SafeTensors.write(folder.resolve(STATE), List.of(
                SafeTensors.Item.f32("adamw.exp_avg", new int[] {n}, t.optimizer().firstMoments()),
                SafeTensors.Item.f32("adamw.exp_avg_sq", new int[] {n}, t.optimizer().secondMoments())), meta);
    }

    /**
     * Restores a trainer (built for the same model shape and objective) from a checkpoint folder.
     * Everything is read and checked before anything is changed: a damaged checkpoint is refused
     * with a {@link FormatException} and leaves the trainer as it was.
     */
    public static void restore(Trainer t, Path folder) throws IOException {
        Path stateFile = folder.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) throw new FormatException(folder.toString(), "not a checkpoint (no " + STATE + ")");
        SafeTensors st = SafeTensors.open(stateFile);
        String src = stateFile.toString();
        Map<String, String> meta = st.metadata();
        if (!"cpo4j-trainer-1".equals(meta.get("format"))) throw new FormatException(src, "unknown checkpoint format " + meta.get("format"));
        long step = number(meta, "step", src), badSteps = number(meta, "bad_steps", src), dropout = number(meta, "dropout_rng", src);
        if (step < 0 || step > Integer.MAX_VALUE || badSteps < 0 || badSteps > Integer.MAX_VALUE) {
            throw new FormatException(src, "step " + step + " or bad_steps " + badSteps + " out of range");
        }
        Map<String, Long> objectiveState = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith("objective.")) objectiveState.put(e.getKey().substring("objective.".length()), number(meta, e.getKey(), src));
        }
        if (!t.model().config().equals(HfCheckpoint.readConfig(folder))) {
            throw new FormatException(folder.resolve(HfCheckpoint.CONFIG).toString(), "the checkpoint's model config differs from this run's " + t.model().config());
        }
        int n = t.model().parameters().count();
        float[][] moments = new float[2][];
        List<String> keys = List.of("adamw.exp_avg", "adamw.exp_avg_sq");
        for (int i = 0; i < 2; i++) {
            SafeTensors.Entry e = st.entry(keys.get(i));
            if (e.numel() != n) throw new FormatException(src, keys.get(i) + " has " + e.numel() + " values, the model has " + n + " parameters");
            moments[i] = new float[n];
            st.readFloats(e, moments[i], 0);
        }
        LanguageModel weights = restoredWeights(t.model(), folder);

        Map<String, Long> before = t.objective().state();
        try {
            t.objective().restore(objectiveState);
        } catch (RuntimeException e) {
            t.objective().restore(before);
            throw new FormatException(src, "objective state " + objectiveState + " does not fit this run: " + e.getMessage());
        }
        System.arraycopy(weights.parameters().values(), 0, t.model().parameters().values(), 0, n);
        System.arraycopy(moments[0], 0, t.optimizer().firstMoments(), 0, n);
        System.arraycopy(moments[1], 0, t.optimizer().secondMoments(), 0, n);
        t.model().dropoutRng().setState(dropout);
        t.restoreCounters((int) step, (int) badSteps);
    }

    /** The checkpoint's parameters in a new model: the full weights, or the adapters over the run's own (shared) base. */
    private static LanguageModel restoredWeights(LanguageModel model, Path folder) throws IOException {
        if (model.lora().isEmpty()) {
            LanguageModel weights = model.config().allocate(0);
            HfCheckpoint.loadWeights(weights, folder);
            return weights;
        }
        LanguageModel adapted = PeftAdapters.load(model.withoutAdapters(), folder);
        if (!adapted.lora().equals(model.lora())) {
            throw new FormatException(folder.resolve(PeftAdapters.CONFIG).toString(), "the checkpoint's LoRA config " + adapted.lora().get()
                    + " differs from this run's " + model.lora().get());
        }
        return adapted;
    }

    private static long number(Map<String, String> meta, String key, String src) throws FormatException {
        String v = meta.get(key);
        if (v == null) throw new FormatException(src, "metadata has no \"" + key + "\"");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new FormatException(src, "metadata \"" + key + "\" is not an integer: " + v);
        }
    }
}
