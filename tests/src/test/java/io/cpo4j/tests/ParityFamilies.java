package io.cpo4j.tests;

import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.HfCheckpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model families the parity tests run, by {@code model_type} in a fixture's {@code model/config.json}.
 * Wiring a new family (llama, mistral, qwen2, qwen3 fixtures already exist in tests/fixtures) is one entry here.
 */
final class ParityFamilies {

    private ParityFamilies() {}

    /** Loads a model folder, and a second set of weights (the contrastive reference) into a loaded model. */
    interface Loader {
        Gpt load(Path modelDir) throws IOException;

        void loadWeights(Gpt model, Path weights) throws IOException;
    }

    private static final Loader GPT2 = new Loader() {
        @Override
        public Gpt load(Path modelDir) throws IOException {
            return HfCheckpoint.load(modelDir);
        }

        @Override
        public void loadWeights(Gpt model, Path weights) throws IOException {
            HfCheckpoint.loadWeights(model, weights);
        }
    };

    private static final Map<String, Loader> LOADERS = Map.of("gpt2", GPT2);

    static boolean supports(String family) {
        return LOADERS.containsKey(family);
    }

    static Loader loader(String family) {
        Loader l = LOADERS.get(family);
        if (l == null) throw new IllegalArgumentException("no Java model for model_type \"" + family + "\"");
        return l;
    }
}
