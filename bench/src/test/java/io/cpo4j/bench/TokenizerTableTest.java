package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every tokenizer row reaches the tokenizer table (MB/s from the text's bytes), HuggingFace rows named by their folder. */
class TokenizerTableTest {

    private static final String[] ROWS = {"TokenizerBenchmark.encode", "TokenizerBenchmark.encodeShort", "TokenizerBenchmark.preTokenize",
            "TokenizerBenchmark.decode", "TokenizerBenchmark.encodeLlama3", "TokenizerBenchmark.encodeQwen3", "TokenizerBenchmark.encodeSentencePiece"};

    @Test
    void theReportRendersEveryTokenizerRowWithItsRate() {
        List<JmhRun.Timing> timings = new ArrayList<>();
        for (String row : ROWS) timings.add(new JmhRun.Timing(row, "wikitext", 1, 500_000, 400_000, 5));   // 0.5 s per call
        Report.Context ctx = new Report.Context("2026-12-03", "bench/run.sh --only TokenizerBenchmark", new Machine("25", "cpu", "", 2, 512, 16),
                List.of(), Map.of(), new Peers.Outcome(List.of(), "none", "n/a", null, List.of()), List.of(), null,
                Map.of("tokenizer.bytes.wikitext", "1500000"), List.of(), List.of());

        String md = Report.write(ctx, timings);

        assertThat(md).contains("`tokenizer.json` and `tokenizer_config.json` from `../shared/data/hf-tokenizers/llama3`",
                "hf-tokenizers/qwen3`", "hf-tokenizers/sentencepiece-32k`", "GPT-2's 50,257-token vocabulary");
        // 1.5 MB in 0.5 s = 3 MB/s (best 0.4 s: 3.75), over the 1 MB/s target for the one-call encodes only
        assertThat(md.split("\\| wikitext \\| 1\\.500 \\| 1 \\| 3\\.00 \\(3\\.75\\) \\| 500\\.0 \\| met \\|", -1)).hasSize(5);
        assertThat(md.split("\\| wikitext \\| 1\\.500 \\| 1 \\| 3\\.00 \\(3\\.75\\) \\| 500\\.0 \\| — \\|", -1)).hasSize(4);
    }

    @Test
    void aSlowEncodeMissesTheTarget() {
        StringBuilder md = new StringBuilder();
        ModelTables.tokenizer(md, List.of(new JmhRun.Timing("TokenizerBenchmark.encodeSentencePiece", "dolly", 1, 2_000_000, 2_000_000, 5)),
                Map.of("tokenizer.bytes.dolly", "1000000"));
        assertThat(md.toString()).contains("| dolly | 1.000 | 1 | 0.50 (0.50) | 2000.0 | **missed** |");
    }
}
