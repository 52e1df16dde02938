package io.cpo4j.model.train;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.SafeTensors;
import io.cpo4j.model.gpt.HfCheckpoint;

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
 * training config. Each folder is written under a temporary name and renamed when complete, so
 * the newest {@code step-*} folder is always whole; only the newest {@code keep} are kept.
 */
public final class Checkpoints {

    static final String STATE = "trainer.safetensors";
    private static final String PREFIX = "step-";

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

    /** Writes a checkpoint of the trainer's current state and prunes old ones; returns its folder. */
    public Path save(Trainer trainer) throws IOException {
        Files.createDirectories(dir);
        removeUnfinished();
        String name = String.format("%s%08d", PREFIX, trainer.stepsDone());
        Path target = dir.resolve(name);
        // a plain createDirectory: the umask's permissions, not createTempDirectory's owner-only 0700
        Path tmp = Files.createDirectory(dir.resolve(io.cpo4j.engine.io.AtomicFiles.tempName(name, "")));
        try {
            write(trainer, tmp);
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
        prune();
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoint folders, oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d{8}") && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /** Temporary folders left by a process killed while writing a checkpoint. */
    private void removeUnfinished() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("." + PREFIX) && Files.isDirectory(p)).toList()) deleteTree(p);
        }
    }

    private void prune() throws IOException {
        List<Path> all = new ArrayList<>(list());
        while (all.size() > keep) deleteTree(all.remove(0));
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    private void write(Trainer t, Path folder) throws IOException {
        HfCheckpoint.save(t.model(), folder, eosTokenId);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "cpo4j-trainer-1");
        meta.put("step", Integer.toString(t.stepsDone()));
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
        var weights = io.cpo4j.model.gpt.Gpt.allocate(t.model().config(), 0);
        HfCheckpoint.loadWeights(weights, folder.resolve(HfCheckpoint.WEIGHTS));

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
