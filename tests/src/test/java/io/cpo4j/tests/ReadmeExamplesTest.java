package io.cpo4j.tests;

import io.cpo4j.cpo.negatives.AutoregressiveNegatives;
import io.cpo4j.cpo.negatives.TruncationNegatives;
import io.cpo4j.cpo.train.CpoConfig;
import io.cpo4j.cpo.train.CpoTrainer;
import io.cpo4j.cpo.train.LossType;
import io.cpo4j.engine.Autograd;
import io.cpo4j.engine.Rng;
import io.cpo4j.engine.Tensor;
import io.cpo4j.engine.nn.Parameters;
import io.cpo4j.engine.optim.AdamW;
import io.cpo4j.model.data.RandomWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.data.TokenizedExample;
import io.cpo4j.model.Presets;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.train.GradientReducer;
import io.cpo4j.model.train.NextTokenObjective;
import io.cpo4j.model.train.TrainConfig;
import io.cpo4j.model.train.Trainer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cpo4j.engine.ops.F.crossEntropy;
import static io.cpo4j.engine.ops.F.linear;
import static io.cpo4j.engine.ops.F.softmax;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Using the library" examples, run as tests. Each example is the code between an
 * {@code // example: NAME} line and the next {@code // end} line; {@link #theReadmeQuotesTheseExamplesVerbatim}
 * checks that README.md shows exactly that code, so the README cannot drift from code that compiles and runs.
 */
class ReadmeExamplesTest {

    static final String TEXT = CliTrainingTest.corpus(60, 3);

    @Test
    void engine() {
        int[] targets = new int[32];
        for (int i = 0; i < 32; i++) targets[i] = i % 10;
        // example: engine
        Parameters p = Parameters.builder().add("w", 10, 4).add("b", 10).build();   // one flat buffer
        Tensor x = Tensor.randn(new Rng(0), 1f, 32, 4);                              // (B, in)
        AdamW opt = AdamW.gptDefaults(p);
        for (int step = 0; step < 50; step++) {
            p.zeroGrad();
            Tensor loss = crossEntropy(linear(x, p.get("w"), p.get("b")), targets);  // targets (B); -100 is ignored
            loss.backward();                                                         // gradients accumulate (+=)
            opt.step(1e-2f);
        }
        Tensor probs;
        try (var scope = Autograd.noGrad()) {
            probs = softmax(linear(x, p.get("w"), p.get("b")));                    // (B, 10)
        }
        // end
        assertThat(probs.shape()).containsExactly(32, 10);
        double rowSum = 0;
        for (int c = 0; c < 10; c++) rowSum += probs.get(0, c);
        assertThat(rowSum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        try (var scope = Autograd.noGrad()) {
            assertThat(crossEntropy(linear(x, p.get("w"), p.get("b")), targets).item()).as("50 AdamW steps lower the loss below ln 10")
                    .isLessThan((float) Math.log(10));
        }
    }

    @Test
    void trainAGpt() {
        // example: train
        Tokenizer tokenizer = CharTokenizer.fromText(TEXT);
        Gpt model = Gpt.create(GptConfig.tiny().withVocabSize(tokenizer.vocabSize()).withContextLength(64), 1);
        TrainConfig config = TrainConfig.builder().batchSize(8).blockSize(64).maxSteps(30).learningRate(3e-3f).warmupSteps(3).build();
        var data = new RandomWindows(TokenShard.of(tokenizer.encode(TEXT)), config.blockSize(), config.seed());
        Trainer trainer = new Trainer(model, config, new NextTokenObjective(model, data), GradientReducer.LOCAL);
        while (!trainer.finished()) {
            Map<String, Double> metrics = trainer.step();                           // loss, grad_norm, lr, tokens_per_sec
        }
        // end
        assertThat(trainer.stepsDone()).isEqualTo(30);
        double last = trainer.step().get("loss");
        assertThat(last).as("30 steps take a character model well below uniform (ln %d)", tokenizer.vocabSize())
                .isLessThan(Math.log(tokenizer.vocabSize()) - 0.5);
    }

    @Test
    void fineTuneWithCpo() {
        // example: cpo
        Tokenizer tokenizer = CharTokenizer.fromText(TEXT);
        Gpt policy = Gpt.create(GptConfig.tiny().withVocabSize(tokenizer.vocabSize()).withContextLength(64), 1);
        List<TokenizedExample> examples = new ArrayList<>();
        for (String sentence : TEXT.split("[.\n]+ *")) {                           // prefix: the subject; truth: the rest
            int cut = sentence.indexOf(' ', sentence.indexOf(' ') + 1);
            if (cut < 0) continue;
            examples.add(new TokenizedExample(tokenizer.encode(sentence.substring(0, cut)),
                    tokenizer.encode(sentence.substring(cut) + Tokenizer.ENDOFTEXT, Set.of(Tokenizer.ENDOFTEXT))));
        }
        CpoConfig config = CpoConfig.builder()
                .lossType(LossType.CPO).beta(0.1).candidates(4)
                .negatives(new AutoregressiveNegatives(), new TruncationNegatives())
                .eosToken(tokenizer.eotToken())
                .training(t -> t.batchSize(4).maxSteps(10).learningRate(1e-3f))
                .build();
        CpoTrainer trainer = new CpoTrainer(policy, examples, config);             // the reference: a frozen copy
        List<Map<String, Double>> history = trainer.train();                       // TRL's metric names
        // end
        assertThat(history).hasSize(10);
        assertThat(history.get(0)).containsKeys("loss", "nll_loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
                "logps/chosen", "logps/rejected", "grad_norm", "lr");
        assertThat(history.get(0).get("rewards/chosen")).as("the policy starts as the reference: every reward is 0")
                .isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(history.get(0).get("loss")).isCloseTo(Math.log(4), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(history.get(9).get("rewards/margins")).as("after 10 steps the truth is preferred").isPositive();
        assertThat(Arrays.equals(trainer.reference().parameters().values(), Gpt.create(policy.config(), 1).parameters().values()))
                .as("the reference stayed as the policy started").isTrue();
        assertThat(Arrays.equals(policy.parameters().values(), trainer.reference().parameters().values())).as("the policy moved").isFalse();
    }

    @Test
    void generate() {
        Tokenizer tokenizer = CharTokenizer.fromText(TEXT);
        Gpt model = Gpt.create(GptConfig.tiny().withVocabSize(tokenizer.vocabSize()).withContextLength(64), 1);
        // example: generate
        Generator generator = new Generator(model);                                 // thread-safe; KV cache per call
        GenerationConfig settings = GenerationConfig.of(20, Sampling.temperature(0.8f).withTopK(5), 42)
                .withStopTokens(tokenizer.eotToken()).withSamplesPerPrompt(2);
        List<Generation> out = generator.generate(List.of(tokenizer.encode("the cat")), settings);
        String text = tokenizer.decode(out.get(0).tokens());
        // end
        assertThat(out).hasSize(2);
        assertThat(out.get(0).tokens().length).isBetween(1, 20);
        assertThat(text).isNotEmpty();
        assertThat(generator.generate(List.of(tokenizer.encode("the cat")), settings).get(1).tokens())
                .as("the same seed gives the same tokens").containsExactly(out.get(1).tokens());
    }

    @Test
    void huggingFaceFolders(@org.junit.jupiter.api.io.TempDir Path folder) throws IOException {
        Tokenizer tokenizer = CharTokenizer.fromText(TEXT);
        int[] ids = tokenizer.encode("the cat sat"), next = Arrays.copyOfRange(tokenizer.encode("the cat sat."), 1, ids.length + 1);
        // example: huggingface
        LanguageModel model = Presets.of("llama-tiny").withVocabSize(tokenizer.vocabSize()).create(1);
        HfCheckpoint.save(model, folder, tokenizer.eotToken());                     // config.json + model.safetensors, as transformers writes
        LanguageModel loaded = HfCheckpoint.load(folder);                           // gpt2, llama, mistral, qwen2 or qwen3, from config.json
        float loss = loaded.loss(ids, next, 1, ids.length).item();
        // end
        assertThat(loaded).isInstanceOf(io.cpo4j.model.llama.Llama.class);
        assertThat(loaded.config()).isEqualTo(model.config());
        assertThat(loss).isEqualTo(model.loss(ids, next, 1, ids.length).item());
        assertThat((double) loss).as("an untrained model is near uniform").isCloseTo(Math.log(tokenizer.vocabSize()), org.assertj.core.data.Offset.offset(0.3));
    }

    /** README.md's code block after each {@code <!-- example: NAME -->} equals the example above, indentation removed. */
    @Test
    void theReadmeQuotesTheseExamplesVerbatim() throws IOException {
        Path root = Path.of(System.getProperty("cpo4j.root", ".."));
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("tests/src/test/java/io/cpo4j/tests/ReadmeExamplesTest.java"));
        Matcher quoted = Pattern.compile("<!-- example: (\\w+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> names = new ArrayList<>();
        while (quoted.find()) {
            names.add(quoted.group(1));
            assertThat(quoted.group(2)).as("README example '%s'", quoted.group(1)).isEqualTo(example(source, quoted.group(1)));
        }
        assertThat(names).containsExactly("engine", "train", "cpo", "generate", "huggingface");
    }

    private static String example(String source, String name) {
        Matcher m = Pattern.compile("\\n( *)// example: " + name + "\\n(.*?)\\n *// end\\n", Pattern.DOTALL).matcher(source);
        assertThat(m.find()).as("example %s in the test source", name).isTrue();
        String indent = m.group(1);
        StringBuilder sb = new StringBuilder();
        for (String line : m.group(2).split("\n")) sb.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
        return sb.toString();
    }
}
