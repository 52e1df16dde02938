package io.cpo4j.cli;

import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.hf.HfCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where a {@code --model DIR} points: a HuggingFace folder, or a run folder whose final model is in {@code model/}. */
final class ModelFolder {

    private ModelFolder() {}

    /** The folder holding the model: DIR itself, or DIR/model for a run folder. */
    static Path resolve(Path dir) throws FormatException {
        if (!Files.exists(dir)) throw new FormatException(dir.toString(), "model folder not found");
        if (!Files.isDirectory(dir)) throw new FormatException(dir.toString(), "not a folder; a model is a folder with " + HfCheckpoint.CONFIG + " + " + HfCheckpoint.WEIGHTS);
        // A run folder has a config.json of its own (the run's), but no weights beside it.
        if (HfCheckpoint.hasWeights(dir)) return dir;
        Path inRun = dir.resolve(RunFolder.MODEL);
        if (Files.isRegularFile(inRun.resolve(HfCheckpoint.CONFIG))) return inRun;
        if (Files.isRegularFile(dir.resolve(RunFolder.ADAPTER).resolve(io.cpo4j.model.hf.PeftAdapters.CONFIG))) {
            throw new FormatException(dir.toString(), "a LoRA run folder: its " + RunFolder.ADAPTER + "/ holds adapters, not a full model; "
                    + "make one with ./cpo4j merge --model " + dir + " --out DIR");
        }
        if (Files.isRegularFile(dir.resolve(HfCheckpoint.CONFIG))) return dir;      // loading then names the missing weights
        throw new FormatException(dir.toString(), "not a model folder: no " + HfCheckpoint.CONFIG + " (a model folder holds "
                + HfCheckpoint.CONFIG + " + " + HfCheckpoint.WEIGHTS + "; a finished run folder holds them in " + RunFolder.MODEL + "/)");
    }

    /** The folder's {@code eos_token_id}, or {@code fallback} when it has none (or one outside the vocabulary). */
    static int eosTokenId(Path modelDir, int vocabSize, int fallback) throws IOException {
        Path file = modelDir.resolve(HfCheckpoint.CONFIG);
        Map<String, Object> json = Json.parseObject(TextFiles.readUtf8(file), file.toString());
        Object eos = json.get("eos_token_id");
        if (eos instanceof List<?> ids && !ids.isEmpty()) eos = ids.get(0);      // Llama 3 lists several end tokens; the first ends a turn of text
        return eos instanceof Long id && id >= 0 && id < vocabSize ? (int) (long) id : fallback;
    }
}
