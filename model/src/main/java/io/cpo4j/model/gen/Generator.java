package io.cpo4j.model.gen;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.lm.Decoder;
import io.cpo4j.model.lm.KvCache;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.lm.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text generation with a KV cache: prompts are prefilled together (each sequence at its own
 * length, no padding), then every step advances all unfinished sequences by one token in one
 * batched forward pass. Each sequence draws from its own random stream derived from the call's
 * seed and its index, so the same seed gives the same tokens whatever the batch or thread count.
 *
 * <p>Thread-safe: a call allocates its own decoder buffers and caches; the model is only read.
 */
public final class Generator {

    private final LanguageModel model;
    private final ModelConfig config;

    public Generator(LanguageModel model) {
        this.model = model;
        this.config = model.config();
    }

    public List<Generation> generate(List<int[]> prompts, GenerationConfig cfg) {
        return generate(prompts, cfg, TokenListener.NONE);
    }

    /** Generates {@code n} continuations of every prompt; results ordered prompt by prompt, sample by sample. */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig cfg, TokenListener listener) {
        int ctx = config.contextLength(), n = cfg.samplesPerPrompt(), v = config.vocabSize();
        for (int p = 0; p < prompts.size(); p++) {
            int len = prompts.get(p).length;
            if (len == 0) throw new IllegalArgumentException("generate: prompt " + p + " is empty (start it with a token, e.g. end-of-text)");
            if (!cfg.slidingWindow() && (long) len + cfg.maxNewTokens() > ctx) {      // long: len + max_new_tokens may overflow an int
                throw new IllegalArgumentException("generate: prompt " + p + " has " + len + " tokens; with " + cfg.maxNewTokens()
                        + " new tokens it would exceed the context length " + ctx + " (shorten it, lower max_new_tokens, or use the sliding window)");
            }
            if (len > ctx) throw new IllegalArgumentException("generate: prompt " + p + " has " + len + " tokens, more than the context length " + ctx);
        }
        int total = sequenceCount(prompts.size(), n);
        long cacheBytes = 0;
        for (int[] prompt : prompts) cacheBytes = Math.addExact(cacheBytes, Math.multiplyExact((long) n, KvCache.bytes(config, cacheCapacity(prompt.length, cfg))));
        long heap = Runtime.getRuntime().maxMemory();
        if (cacheBytes > heap) {
            // Every sequence holds its own cache for the whole call: refuse up front what cannot fit
            // rather than fill the heap and fail with an OutOfMemoryError.
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "generate: %d sequences need %.1f GiB of KV cache, more than the Java heap of %.1f GiB (generate fewer samples at once)",
                    total, cacheBytes / (double) (1L << 30), heap / (double) (1L << 30)));
        }
        Decoder decoder = model.decoder();
        Sequence[] seqs = new Sequence[total];

        // Prefill every prompt once; n samples share it through copies of its cache.
        KvCache[] prefillCaches = new KvCache[prompts.size()];
        int[][] promptTokens = new int[prompts.size()][];
        for (int p = 0; p < prompts.size(); p++) {
            prefillCaches[p] = decoder.newCache(cacheCapacity(prompts.get(p).length, cfg));
            promptTokens[p] = prompts.get(p);
        }
        float[] firstLogits = prompts.isEmpty() ? new float[0] : decoder.forward(prefillCaches, promptTokens, false);
        for (int p = 0; p < prompts.size(); p++) {
            for (int k = 0; k < n; k++) {
                int i = p * n + k;
                KvCache cache = k == n - 1 ? prefillCaches[p] : prefillCaches[p].copy();
                seqs[i] = new Sequence(i, p, k, prompts.get(p), cfg, cache, new Rng(Rng.mix(cfg.seed() ^ Rng.mix(i + 1L))));
                seqs[i].logits = Arrays.copyOfRange(firstLogits, p * v, (p + 1) * v);
            }
        }

        List<Sequence> active = new ArrayList<>();
        for (Sequence s : seqs) if (cfg.maxNewTokens() > 0) active.add(s);
        while (!active.isEmpty()) {
            List<Sequence> next = new ArrayList<>();
            for (Sequence s : active) {
                int token = TokenChooser.choose(s.logits, 0, v, s.history, s.historyLength, cfg.sampling(), s.rng);
                float lp = TokenChooser.logProb(s.logits, 0, v, token);
                s.append(token, lp);
                listener.onToken(s.index, token, lp);
                if (cfg.stopTokens().contains(token)) s.finish = Generation.Finish.STOP_TOKEN;
                else if (s.hitStopString(cfg)) s.finish = Generation.Finish.STOP_STRING;
                else if (s.generated == cfg.maxNewTokens()) s.finish = Generation.Finish.LENGTH;
                else next.add(s);
            }
            if (next.isEmpty()) break;
            for (Sequence s : next) if (s.cache.length() == s.cache.capacity()) slide(decoder, s);
            KvCache[] caches = new KvCache[next.size()];
            int[][] tokens = new int[next.size()][];
            for (int j = 0; j < next.size(); j++) {
                caches[j] = next.get(j).cache;
                tokens[j] = new int[] {next.get(j).lastToken()};
            }
            float[] logits = decoder.forward(caches, tokens, false);
            for (int j = 0; j < next.size(); j++) next.get(j).logits = Arrays.copyOfRange(logits, j * v, (j + 1) * v);
            active = next;
        }
        List<Generation> out = new ArrayList<>(total);
        for (Sequence s : seqs) out.add(s.result());
        return out;
    }

    /** prompts × n, or an error when that overflows an int (no list could hold the results). */
    static int sequenceCount(int prompts, int n) {
        try {
            return Math.multiplyExact(prompts, n);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("generate: " + prompts + " prompts × " + n + " samples is more sequences than one call can hold");
        }
    }

    /**
     * KV cache positions for a prompt: its tokens and the new ones, but never more than the
     * context (with the sliding window the cache is reused, not grown). Long arithmetic, so a
     * huge max_new_tokens cannot wrap around to a negative capacity.
     */
    int cacheCapacity(int promptLength, GenerationConfig cfg) {
        return (int) Math.min(config.contextLength(), (long) promptLength + Math.max(1, cfg.maxNewTokens()));
    }

    /** The context is full: re-encode the most recent half of the sequence (positions restart at 0). */
    private void slide(Decoder decoder, Sequence s) {
        int keep = config.contextLength() / 2;
        int[] recent = Arrays.copyOfRange(s.history, s.historyLength - keep, s.historyLength - 1);
        s.cache.clear();
        if (recent.length > 0) decoder.forward(new KvCache[] {s.cache}, new int[][] {recent}, false);
    }

    /** One sequence being generated. */
    private static final class Sequence {
        final int index, prompt, sample;
        final KvCache cache;
        final Rng rng;
        int[] history;
        int historyLength;
        final int promptLength;
        float[] logProbs;
        int generated;
        float[] logits;
        Generation.Finish finish = Generation.Finish.LENGTH;

        Sequence(int index, int prompt, int sample, int[] promptTokens, GenerationConfig cfg, KvCache cache, Rng rng) {
            this.index = index;
            this.prompt = prompt;
            this.sample = sample;
            this.cache = cache;
            this.rng = rng;
            this.promptLength = promptTokens.length;
            // Sized for what a context holds, grown as tokens come: with the sliding window
            // max_new_tokens may be far larger than what is ever generated or fits an array.
            int room = (int) Math.min(cfg.maxNewTokens(), Math.max(cache.capacity(), 16));
            this.history = Arrays.copyOf(promptTokens, Math.addExact(promptTokens.length, room));
            this.historyLength = promptTokens.length;
            this.logProbs = new float[room];
        }

        void append(int token, float lp) {
            if (historyLength == history.length) history = Arrays.copyOf(history, grown(history.length));
            if (generated == logProbs.length) logProbs = Arrays.copyOf(logProbs, grown(logProbs.length));
            history[historyLength++] = token;
            logProbs[generated++] = lp;
        }

        /** Half as large again, within the largest array. */
        private static int grown(int length) {
            int max = Integer.MAX_VALUE - 8;
            if (length >= max) throw new IllegalStateException("generate: a sequence of " + length + " tokens is as long as an array can be");
            return (int) Math.min(max, length + (length >> 1) + 16L);
        }

        int lastToken() {
            return history[historyLength - 1];
        }

        boolean hitStopString(GenerationConfig cfg) {
            if (cfg.stopStrings().isEmpty()) return false;
            String text = cfg.detokenizer().apply(Arrays.copyOfRange(history, promptLength, historyLength));
            for (String stop : cfg.stopStrings()) if (text.contains(stop)) return true;
            return false;
        }

        Generation result() {
            return new Generation(prompt, sample, Arrays.copyOfRange(history, promptLength, historyLength),
                    Arrays.copyOf(logProbs, generated), finish);
        }
    }
}
