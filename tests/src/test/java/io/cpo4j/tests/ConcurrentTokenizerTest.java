package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.tokenizer.BpeTrainer;
import io.cpo4j.model.tokenizer.CharTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizerFiles;
import io.cpo4j.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One tokenizer shared by 8 threads (data loaders, servers): every encode and decode equals the serial result. */
class ConcurrentTokenizerTest {

    @Test
    void eightThreadsTimesFiftyTextsMatchSerialResults() throws Exception {
        String corpus = TokenizerFuzzTest.TEXT;
        Rng rng = new Rng(9);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int from = rng.nextInt(corpus.length() - 10);
            int len = i % 4 == 0 ? 300 + rng.nextInt(600) : 1 + rng.nextInt(120);             // long texts use the piece cache
            texts.add(corpus.substring(from, Math.min(corpus.length(), from + len)));
        }
        Path hf = Path.of(System.getProperty("cpo4j.root", "."), "model", "src", "test", "resources", "io", "cpo4j", "model", "tokenizer", "hf").normalize();
        for (Tokenizer t : List.of(BpeTrainer.train(corpus, 400), CharTokenizer.fromText(corpus),
                HfTokenizerFiles.load(hf.resolve("tiny-bytelevel")), HfTokenizerFiles.load(hf.resolve("tiny-sentencepiece")))) {
            List<int[]> serial = new ArrayList<>();
            for (String s : texts) serial.add(t.encode(s));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<int[]>> futures = new ArrayList<>();
                List<Future<String>> decoded = new ArrayList<>();
                for (int i = 0; i < texts.size(); i++) {
                    int k = i;
                    futures.add(pool.submit(() -> t.encode(texts.get(k))));
                    decoded.add(pool.submit(() -> t.decode(serial.get(k))));
                }
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(futures.get(i).get()).as("%s text %d", t, i).containsExactly(serial.get(i));
                    assertThat(decoded.get(i).get()).isEqualTo(texts.get(i));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
