package io.cpo4j.cli;

import io.cpo4j.cpo.train.WeightEnsemble;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.gpt.HfCheckpoint;

import java.io.PrintStream;
import java.nio.file.Path;
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
                usage: ./cpo4j ensemble --mle DIR --cpo DIR --alpha A --out DIR

                Averages two models of the same shape parameter by parameter (a "model soup"):
                θ = (1 − α)·θ_mle + α·θ_cpo. α = 0 gives the --mle model and α = 1 the --cpo model, bit for
                bit. The paper (Feng et al. 2025) ensembles an MLE and a sequence-level CPO model of the
                same start this way.

                  --mle DIR     a HuggingFace GPT-2 folder or a run folder (its model/), e.g. from
                                ./cpo4j finetune --objective mle
                  --cpo DIR     the other model, of the same shape
                  --alpha A     the weight of --cpo, in [0, 1]
                  --out DIR     where to write config.json + model.safetensors; the tokenizer files of --cpo
                                (else of --mle) are copied along
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("mle", "cpo", "alpha", "out"), List.of());
        Path mleArg = Path.of(o.require("mle")), cpoArg = Path.of(o.require("cpo"));
        o.require("alpha");
        float alpha = (float) o.number("alpha", 0, 0, 1);
        Path target = o.folder("out");
        Path mleDir = ModelFolder.resolve(mleArg), cpoDir = ModelFolder.resolve(cpoArg);
        GptConfig a = HfCheckpoint.readConfig(mleDir), b = HfCheckpoint.readConfig(cpoDir);
        if (!a.equals(b)) {
            throw new IllegalArgumentException("the two models differ in shape: " + mleDir + " is " + Figures.model(a) + ", " + cpoDir + " is " + Figures.model(b));
        }
        Gpt mle = HfCheckpoint.load(mleDir), cpo = HfCheckpoint.load(cpoDir);
        Gpt mixed = WeightEnsemble.interpolate(mle, cpo, alpha);
        int eos = ModelFolder.eosTokenId(cpoDir, a.vocabSize(), ModelFolder.eosTokenId(mleDir, a.vocabSize(), a.vocabSize() - 1));
        HfCheckpoint.save(mixed, target, eos);
        boolean tokenizer = TokenizerFiles.copy(cpoDir, target) || TokenizerFiles.copy(mleDir, target);
        out.printf(Locale.ROOT, "wrote θ = %s·θ_mle + %s·θ_cpo (%s parameters) to %s%s%n", 1 - alpha, alpha, Figures.count(a.parameterCount()), target,
                tokenizer ? ", with the tokenizer files" : "");
        return 0;
    }
}
