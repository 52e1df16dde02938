package io.cpo4j.cli;

import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ./cpo4j merge}: a base model and its LoRA adapters as one HuggingFace folder, W + (α/r)·B·A (PEFT's merge_and_unload). */
final class MergeCommand implements Command {

    @Override
    public String name() {
        return "merge";
    }

    @Override
    public String summary() {
        return "merge LoRA adapters into their base: a full model folder with W + (α/r)·B·A";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j merge --model DIR [--adapter DIR] --out DIR [--overwrite]

                Writes the base model with PEFT LoRA adapters merged into its weights, W + (α/r)·B·A on every
                adapted projection (PEFT's merge_and_unload()), as a plain HuggingFace folder that every
                command and transformers load without the adapters.

                  --model DIR     the base: a HuggingFace folder (gpt2, llama, mistral, qwen2, qwen3) or a run
                                  folder; or a LoRA run folder of ./cpo4j finetune --lora-r (its adapter/ over the
                                  base it records), then --adapter is not given
                  --adapter DIR   the adapters: a PEFT folder (adapter_config.json + adapter_model.safetensors)
                                  or a LoRA run folder
                  --out DIR       where to write config.json + model.safetensors; the tokenizer files of the
                                  adapter folder (else of the base) are copied along. A new or empty folder,
                                  unless --overwrite
                  --overwrite     write into an existing folder: its model and tokenizer files are deleted
                                  first, other files stay; never / or the home folder

                Exit codes: 0 written, 1 failed (e.g. adapters of another family or shape), 2 usage error or
                --out refused (not empty, in use by another cpo4j process, / or the home folder); nothing is
                written on exit 2.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("model", "adapter", "out"), List.of("overwrite"));
        Path modelArg = Path.of(o.require("model"));
        Path target = o.folder("out");
        ModelSource source = ModelSource.resolve(modelArg, o.value("adapter"), o);
        if (source.adapter().isEmpty()) throw o.usage("missing --adapter (--model " + modelArg + " holds no LoRA adapters; see ./cpo4j merge --help)");
        for (Path input : List.of(source.base(), source.adapter().get())) {
            if (Files.exists(target) && Files.isSameFile(target, input)) throw o.usage("--out " + target + " is an input (" + input + "); choose another folder");
        }
        List<String> replaced = new ArrayList<>(List.of(HfCheckpoint.CONFIG, HfCheckpoint.WEIGHTS));
        replaced.addAll(TokenizerFiles.NAMES);
        LanguageModel adapted = source.load();                      // a bad adapter folder fails here, before --out is touched
        try (OutFolder.Taken taken = OutFolder.take(target, name(), o.flag("overwrite"), "the merged model", replaced, o, err)) {
            ModelConfig c = adapted.config();
            LanguageModel merged = adapted.mergeAndUnload();
            int eos = ModelFolder.eosTokenId(source.base(), c.vocabSize(), c.vocabSize() - 1);
            HfCheckpoint.save(merged, target, eos);
            boolean tokenizer = TokenizerFiles.copy(source.tokenizerDir(), target);
            var lora = adapted.lora().orElseThrow();
            out.printf(java.util.Locale.ROOT, "wrote %s merged with LoRA r %d, lora_alpha %s on %s (%s parameters) to %s%s%n", source.base(), lora.r(),
                    Figures.number(lora.alpha()), String.join(",", lora.targetModules()), Figures.count(c.parameterCount()), target,
                    tokenizer ? ", with the tokenizer files" : "");
            return 0;
        }
    }
}
