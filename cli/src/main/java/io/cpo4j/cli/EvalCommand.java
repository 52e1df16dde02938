package io.cpo4j.cli;

import io.cpo4j.engine.Engine;
import io.cpo4j.engine.io.FormatException;
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.data.Batch;
import io.cpo4j.model.data.SequentialWindows;
import io.cpo4j.model.data.TokenShard;
import io.cpo4j.model.lm.LanguageModel;
import io.cpo4j.model.hf.HfCheckpoint;
import io.cpo4j.model.train.Evaluation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./cpo4j eval}: mean next-token loss and perplexity of a model over a token shard. */
final class EvalCommand implements Command {

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "mean next-token loss and perplexity of a model on an llm.c .bin token shard";
    }

    @Override
    public String help() {
        return """
                usage: ./cpo4j eval --model DIR [--adapter DIR] --data FILE.bin [--block T] [--batch B] [--json] [--threads N]

                The mean next-token cross-entropy (nats per token) and perplexity of a model over all of a
                token shard's non-overlapping windows of T+1 tokens: window i has inputs tokens[i·T, i·T+T)
                and targets shifted by one, so every token after the first is predicted once, with a
                context that restarts every T tokens. The mean is weighted by token (a partial last batch
                counts as much as its tokens). No dropout, no gradients.

                  --model DIR     a HuggingFace folder (config.json + model.safetensors or a sharded index;
                                  gpt2, llama, mistral, qwen2, qwen3), or a run folder of ./cpo4j train /
                                  finetune (its model/; a LoRA fine-tune's adapter/ over the base it records)
                  --adapter DIR   PEFT LoRA adapters (adapter_config.json + adapter_model.safetensors, or a LoRA
                                  run folder) applied to the --model base
                  --base-dtype D  the base's matrices in bf16, f16 or f32 (default f32): bf16 and f16 take half
                                  the memory, read as they are (norms and biases stay float32)
                  --data FILE     an llm.c token shard (./cpo4j tokenizer tokenize makes one)
                  --block T       tokens per window (default: the model's context length)
                  --batch B       windows per forward pass (default 8); does not change the result
                  --json          print one JSON object {"loss": …, "perplexity": …, "tokens": …}
                  --threads N     engine threads (default: all cores); does not change the result
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(name(), args, List.of("model", "adapter", BaseDTypeFlag.NAME, "data", "block", "batch", "threads"), List.of("json"));
        Path modelArg = Path.of(o.require("model"));
        Path dataFile = Path.of(o.require("data"));
        int batch = o.integer("batch", 8, 1);
        Engine.setThreads(o.threads());
        ModelSource source = ModelSource.resolve(modelArg, o.value("adapter"), o);
        var config = HfCheckpoint.readConfig(source.base());
        int block = o.integer("block", config.contextLength(), 1);
        if (block > config.contextLength()) throw o.usage("--block " + block + " exceeds the model's context length " + config.contextLength());
        TokenShard shard = TokenShard.read(dataFile);
        shard.checkVocabulary(config.vocabSize());
        if (shard.size() < block + 1) {
            throw new FormatException(dataFile.toString(), "has " + shard.size() + " tokens, fewer than one window of --block + 1 = " + (block + 1) + "; use a smaller --block");
        }
        // More windows a batch than the shard has changes nothing (the result does not depend on
        // --batch), so clamp; what remains must fit one array of logits, checked without overflow.
        batch = Math.min(batch, (shard.size() - 1) / block);
        if ((long) batch * block * config.vocabSize() > Integer.MAX_VALUE - 8) {
            throw o.usage("--batch " + batch + " × --block " + block + " × a vocabulary of " + config.vocabSize()
                    + " logits is more than one array holds; use a smaller --batch");
        }
        LanguageModel gpt = source.load(BaseDTypeFlag.parse(o));
        SequentialWindows windows = new SequentialWindows(shard, batch, block);
        long t0 = System.nanoTime();
        Evaluation.Result r = Evaluation.meanLoss(gpt, withProgress(windows, err), Integer.MAX_VALUE);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (o.flag("json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", r.loss());
            m.put("perplexity", r.perplexity());
            m.put("tokens", r.tokens());
            out.println(Json.write(m));
        } else {
            out.printf(Locale.ROOT, "loss %.4f  perplexity %.3f  over %,d tokens (%,d windows of %d) of %s, in %.1f s (%s tokens/s)%n",
                    r.loss(), r.perplexity(), r.tokens(), windows.windowCount(), block, dataFile, seconds,
                    Progress.compact(r.tokens() / Math.max(seconds, 1e-9)));
        }
        return 0;
    }

    /** The windows in order, with a line on stderr every 10 s for long evaluations. */
    private static Iterable<Batch> withProgress(SequentialWindows windows, PrintStream err) {
        return () -> new Iterator<>() {
            private final Iterator<Batch> it = windows.iterator();
            private final long start = System.nanoTime();
            private long last = start;
            private int done;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Batch next() {
                long now = System.nanoTime();
                if (now - last > 10_000_000_000L) {
                    last = now;
                    double elapsed = (now - start) / 1e9;
                    err.printf(Locale.ROOT, "eval: batch %d/%d, ETA %s%n", done, windows.batchCount(),
                            Progress.duration(elapsed / Math.max(1, done) * (windows.batchCount() - done)));
                }
                done++;
                return it.next();
            }
        };
    }
}
