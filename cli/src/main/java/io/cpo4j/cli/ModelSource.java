package io.cpo4j.cli;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.engine.io.TextFiles;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.hf.PeftAdapters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code --model DIR [--adapter DIR]} names: a base model folder and, optionally, PEFT LoRA
 * adapters over it. The adapters come from {@code --adapter} (a PEFT folder, or a LoRA run folder
 * holding one in {@code adapter/}), or from {@code --model} itself when it is such a folder: then
 * the base is the adapter's {@code base_model_name_or_path}, as PEFT's {@code
 * AutoPeftModelForCausalLM} finds it.
 */
record ModelSource(Path base, Optional<Path> adapter) {

    static ModelSource resolve(Path modelArg, Optional<String> adapterArg, Options o) throws IOException {
        Optional<Path> own = adapterOf(modelArg);
        if (adapterArg.isPresent()) {
            if (own.isPresent()) throw o.usage("--model " + modelArg + " holds LoRA adapters (" + own.get() + ") and --adapter gives others; give the base model as --model");
            return new ModelSource(ModelFolder.resolve(modelArg), Optional.of(adapterFolder(Path.of(adapterArg.get()))));
        }
        if (own.isPresent()) return new ModelSource(baseOf(own.get()), own);
        return new ModelSource(ModelFolder.resolve(modelArg), Optional.empty());
    }

    /** The adapters a --model folder holds instead of weights: its own PEFT files, or a LoRA run's adapter/. */
    private static Optional<Path> adapterOf(Path dir) {
        if (!Files.isDirectory(dir) || HfCheckpoint.hasWeights(dir) || Files.isRegularFile(dir.resolve(RunFolder.MODEL).resolve(HfCheckpoint.CONFIG))) return Optional.empty();
        if (PeftAdapters.present(dir)) return Optional.of(dir);
        Path inRun = dir.resolve(RunFolder.ADAPTER);
        return PeftAdapters.present(inRun) ? Optional.of(inRun) : Optional.empty();
    }

    /** An --adapter folder: a PEFT folder, or a LoRA run folder (its adapter/). */
    static Path adapterFolder(Path dir) throws FormatException {
        if (!Files.exists(dir)) throw new FormatException(dir.toString(), "adapter folder not found (--adapter)");
        if (!Files.isDirectory(dir)) throw new FormatException(dir.toString(), "not a folder; --adapter is a PEFT folder with " + PeftAdapters.CONFIG + " + " + PeftAdapters.WEIGHTS);
        if (PeftAdapters.present(dir)) return dir;
        if (PeftAdapters.present(dir.resolve(RunFolder.ADAPTER))) return dir.resolve(RunFolder.ADAPTER);
        throw new FormatException(dir.toString(), "not an adapter folder (--adapter): no " + PeftAdapters.CONFIG + " (a PEFT folder holds "
                + PeftAdapters.CONFIG + " + " + PeftAdapters.WEIGHTS + "; a LoRA run folder holds them in " + RunFolder.ADAPTER + "/)");
    }

    /** The base model folder an adapter records in base_model_name_or_path. */
    private static Path baseOf(Path adapter) throws IOException {
        Path file = adapter.resolve(PeftAdapters.CONFIG);
        Object base = Json.parseObject(TextFiles.readUtf8(file), file.toString()).get("base_model_name_or_path");
        if (!(base instanceof String name) || name.isBlank()) {
            throw new FormatException(file.toString(), "field \"base_model_name_or_path\" names no base model folder; give the base as --model and this folder as --adapter");
        }
        Path dir = Path.of(name);
        if (!Files.isDirectory(dir)) {
            throw new FormatException(file.toString(), "field \"base_model_name_or_path\": " + name + " is not a folder here; give the base as --model and this folder as --adapter");
        }
        return ModelFolder.resolve(dir);
    }

    /** The model, with its adapters when there are any. */
    LanguageModel load() throws IOException {
        return load(DType.F32);
    }

    /** The model with its base's matrices in {@code dtype} (bf16/f16: a frozen base), with its adapters when there are any. */
    LanguageModel load(DType dtype) throws IOException {
        LanguageModel model = HfCheckpoint.load(base, dtype);
        return adapter.isPresent() ? PeftAdapters.load(model, adapter.get()) : model;
    }

    /** Where the tokenizer files are by default: the adapter folder when it holds them (TRL saves them there), else the base's. */
    Path tokenizerDir() {
        return adapter.filter(TokenizerFiles::present).orElse(base);
    }

    /** "DIR" or "DIR with the adapters in ADAPTER", for messages. */
    String describe() {
        return base + adapter.map(a -> " with the LoRA adapters in " + a).orElse("");
    }
}
