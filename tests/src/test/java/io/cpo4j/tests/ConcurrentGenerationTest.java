package io.cpo4j.tests;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.gen.Generation;
import io.cpo4j.model.gen.GenerationConfig;
import io.cpo4j.model.gen.Generator;
import io.cpo4j.model.gen.Sampling;
import io.cpo4j.model.gpt.Gpt;
import io.cpo4j.model.gpt.GptConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One loaded model serves concurrent generate calls; every result equals the serial one. */
class ConcurrentGenerationTest {

    @Test
    void eightThreadsTimesFiftyRequestsMatchSerialResults() throws Exception {
        Gpt gpt = Gpt.create(new GptConfig(97, 48, 2, 4, 32, 0f, 1e-5f), 11);
        gpt.setTraining(false);
        Generator generator = new Generator(gpt);
        int threads = 8, perThread = 50;
        List<int[]> prompts = new ArrayList<>();
        List<GenerationConfig> configs = new ArrayList<>();
        Rng rng = new Rng(3);
        for (int i = 0; i < threads * perThread; i++) {
            int[] p = new int[1 + rng.nextInt(10)];
            for (int j = 0; j < p.length; j++) p[j] = rng.nextInt(97);
            prompts.add(p);
            Sampling s = i % 3 == 0 ? Sampling.greedyDecoding() : Sampling.temperature(0.8f + 0.1f * (i % 4)).withTopK(i % 5 == 0 ? 0 : 20);
            configs.add(GenerationConfig.of(4 + i % 9, s, i).withSamplesPerPrompt(1 + i % 2));
        }
        List<List<Generation>> serial = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) serial.add(generator.generate(List.of(prompts.get(i)), configs.get(i)));

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Generation>>> futures = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int k = i;
                futures.add(pool.submit(() -> generator.generate(List.of(prompts.get(k)), configs.get(k))));
            }
            for (int i = 0; i < prompts.size(); i++) {
                List<Generation> concurrent = futures.get(i).get();
                assertThat(concurrent).hasSameSizeAs(serial.get(i));
                for (int j = 0; j < concurrent.size(); j++) {
                    assertThat(concurrent.get(j).tokens()).as("request %d sample %d", i, j).containsExactly(serial.get(i).get(j).tokens());
                    assertThat(concurrent.get(j).logProbs()).containsExactly(serial.get(i).get(j).logProbs());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
