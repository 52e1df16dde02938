package io.cpo4j.cli;

import io.cpo4j.cpo.train.WeightEnsemble;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;
import io.cpo4j.model.hf.HfCheckpoint;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code ./cpo4j ensemble}: the weight-space ensemble θ = (1 − α)·θ_MLE + α·θ_CPO of two models of one shape. */
final class EnsembleCommand implements Command {

    @Override
    public String name() {
        return "ensemble";
    }

    @Override
    public String summary() {
        return "weight-space ensemble (1-α)·θ_mle + α·θ_cpo of two fine-tuned models";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j ensemble --mle DIR --cpo DIR --alpha A --out DIR [--overwrite]

                Averages two models of the same shape parameter by parameter (a "model soup"):
                θ = (1 − α)·θ_mle + α·θ_cpo. α = 0 gives the --mle model and α = 1 the --cpo model, bit for
                bit. The paper (Feng et al. 2025) ensembles an MLE and a sequence-level CPO model of the
                same start this way.

                  --mle DIR     a HuggingFace folder (gpt2, llama, mistral, qwen2, qwen3) or a run folder
                                (its model/), e.g. from ./cpo4j finetune --loss-type mle
                  --cpo DIR     the other model, of the same shape
                  --alpha A     the weight of --cpo, in [0, 1]
                  --out DIR     where to write config.json + model.safetensors; the tokenizer files of --cpo
                                (else of --mle) are copied along. A new or empty folder, unless --overwrite
                  --overwrite   write into an existing folder: its model and tokenizer files are deleted
                                first, other files stay; never / or the home folder

                Exit codes: 0 written, 1 failed, 2 usage error or --out refused (not empty, in use by another
                cpo4j process, / or the home folder); nothing is written on exit 2.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("mle", "cpo", "alpha", "out"), List.of("overwrite"));
        Path mleArg = Path.of(o.require("mle")), cpoArg = Path.of(o.require("cpo"));
        o.require("alpha");
        float alpha = (float) o.number("alpha", 0, 0, 1);
        Path target = o.folder("out");
        Path mleDir = ModelFolder.resolve(mleArg), cpoDir = ModelFolder.resolve(cpoArg);
        ModelConfig a = HfCheckpoint.readConfig(mleDir), b = HfCheckpoint.readConfig(cpoDir);
        if (!a.equals(b)) {
            throw new IllegalArgumentException("the two models differ in shape: " + mleDir + " is " + Figures.model(a) + ", " + cpoDir + " is " + Figures.model(b));
        }
        for (Path source : List.of(mleDir, cpoDir)) {
            if (Files.exists(target) && Files.isSameFile(target, source)) throw o.usage("--out " + target + " is one of the models being mixed; choose another folder");
        }
        List<String> replaced = new ArrayList<>(List.of(HfCheckpoint.CONFIG, HfCheckpoint.WEIGHTS));
        replaced.addAll(TokenizerFiles.NAMES);
        try (OutFolder.Taken taken = OutFolder.take(target, name(), o.flag("overwrite"), "the model", replaced, o, err)) {
            return mix(mleDir, cpoDir, a, alpha, target, out);
        }
    }

    private static int mix(Path mleDir, Path cpoDir, ModelConfig a, float alpha, Path target, PrintStream out) throws Exception {
        LanguageModel mle = HfCheckpoint.load(mleDir), cpo = HfCheckpoint.load(cpoDir);
        LanguageModel mixed = WeightEnsemble.interpolate(mle, cpo, alpha);
        int eos = ModelFolder.eosTokenId(cpoDir, a.vocabSize(), ModelFolder.eosTokenId(mleDir, a.vocabSize(), a.vocabSize() - 1));
        HfCheckpoint.save(mixed, target, eos);
        boolean tokenizer = TokenizerFiles.copy(cpoDir, target) || TokenizerFiles.copy(mleDir, target);
        out.printf(Locale.ROOT, "wrote θ = %s·θ_mle + %s·θ_cpo (%s parameters) to %s%s%n", 1 - alpha, alpha, Figures.count(a.parameterCount()), target,
                tokenizer ? ", with the tokenizer files" : "");
        return 0;
    }
}
