package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Llama rows render from torch's figures alone (cpo4j's side n/a) and hold cpo4j's decoding against the bound. */
class LlamaTablesTest {

    private static Peers.Outcome peers(Peers.Figure... figures) {
        return new Peers.Outcome(List.of(figures), "torch 1.13", "n/a", null, List.of());
    }

    @Test
    void stepRowShowsTorchBeforeCpo4jHasASide() {
        Peers.Outcome p = peers(new Peers.Figure("torch", 1, "smollm2-135m", "tokens/s", 55, 50), new Peers.Figure("torch", 2, "smollm2-135m", "tokens/s", 90, 80));
        assertThat(LlamaTables.hasPeer(LlamaTables.STEP, p)).isTrue();
        assertThat(LlamaTables.hasPeer(LlamaTables.DECODE, p)).isFalse();
        StringBuilder md = new StringBuilder();
        LlamaTables.step(md, Cases.of(LlamaTables.STEP), List.of(), p);
        // 1024 tokens at 50 tokens/s: 20480 ms per step
        assertThat(md.toString()).contains("| 1 | n/a | n/a | 50 (55) | 20480.0 | n/a | n/a |\n").contains("| 2 | n/a | n/a | 80 (90) | 12800.0 | n/a | n/a |\n");
    }

    @Test
    void stepRatioIsCpo4jTokensOverTorchTokens() {
        Peers.Outcome p = peers(new Peers.Figure("torch", 1, "smollm2-135m", "tokens/s", 55, 50));
        // 1024 tokens in 10 s: 102.4 tokens/s
        JmhRun.Timing own = new JmhRun.Timing(LlamaTables.STEP, "smollm2-135m", 1, 10e6, 10e6, 5);
        StringBuilder md = new StringBuilder();
        LlamaTables.step(md, Cases.of(LlamaTables.STEP), List.of(own), p);
        assertThat(md.toString()).contains("| 1 | 102 (102) | 10000.0 | 50 (55) | 20480.0 | 2.05× | met 2.05× |");
    }

    private static JmhRun.Timing bandwidth(String benchmark, double bytes, double gigabytesPerSecond, int threads) {
        double micros = bytes / (gigabytesPerSecond * 1e9) * 1e6;
        return new JmhRun.Timing(benchmark, "", threads, micros, micros, 5);
    }

    @Test
    void decodeIsHeldAgainstTheHigherOfTheJavaAndNativeReadBounds() {
        // bounds at 544,006,656 B per step: copy 10 GB/s → 18.38, Java read 8 GB/s → 14.71, native read 9 GB/s (median) → 16.54 tokens/s
        JmhRun.Timing copy = bandwidth("MemoryBandwidthBenchmark.copy", MemoryBandwidthBenchmark.bytes(), 10, 1);
        JmhRun.Timing read = bandwidth("MemoryBandwidthBenchmark.read", MemoryBandwidthBenchmark.readBytes(), 8, 1);
        JmhRun.Timing own = new JmhRun.Timing(LlamaTables.DECODE, "1", 1, 1e6 / 16, 1e6 / 16, 5);
        Peers.Outcome p = peers(new Peers.Figure("torch", 1, "smollm2-135m decode batch 1", "tokens/s", 15.5, 15),
                new Peers.Figure("native", 1, "read", "GB/s", 9.5, 9));
        StringBuilder md = new StringBuilder();
        LlamaTables.decode(md, Cases.of(LlamaTables.DECODE), List.of(own), p, List.of(copy), List.of(read));
        assertThat(md.toString()).contains("| 1 | 1 | 18.4 | 14.7 | 16.5 | 15.0 (15.5) | 0.91 | 16.0 (16.0) | 0.87 | 0.97 | met 0.97 |");
    }

    @Test
    void decodeBelowTheReadBoundIsMissedEvenWhenNoNativeProbeRan() {
        JmhRun.Timing read = bandwidth("MemoryBandwidthBenchmark.read", MemoryBandwidthBenchmark.readBytes(), 8, 2);
        JmhRun.Timing own = new JmhRun.Timing(LlamaTables.DECODE, "1", 2, 1e6 / 11, 1e6 / 11, 5);
        StringBuilder md = new StringBuilder();
        LlamaTables.decode(md, Cases.of(LlamaTables.DECODE), List.of(own), peers(), List.of(), List.of(read));
        // 11 / 14.71 = 0.75
        assertThat(md.toString()).contains("| 1 | 2 | n/a | 14.7 | n/a | n/a | n/a | 11.0 (11.0) | n/a | 0.75 | **missed** 0.75 |");
    }

    @Test
    void decodeInTurnsTakesTheRatioWithinEachCallAgainstTheHigherRead() {
        // 544,006,656 B per step. Call 1: 25 tok/s against max(16, 17) GB/s = 31.25 tok/s → 0.800; call 2: 20 against
        // max(14, 13) = 25.74 → 0.777; call 3: 22.2 against max(15, 15.5) = 28.49 → 0.780. Median 0.78: missed.
        Map<String, String> notes = Map.of(LlamaTables.TURNS + "2.cpo4j", "40,50,45", LlamaTables.TURNS + "2.java", "16,14,15",
                LlamaTables.TURNS + "2.native", "17,13,15.5", LlamaTables.TURNS + "note.2.0", "peer note");
        JmhRun.Timing call = new JmhRun.Timing(LlamaTables.DECODE_IN_TURNS, "1", 2, 1e6, 1e6, 8);
        StringBuilder md = new StringBuilder();
        LlamaTables.decodeInTurns(md, List.of(call), notes);
        assertThat(md.toString()).contains("| 1 | 2 | 3 | 22.2 | 15.5 | 15.0 | 28.5 | 0.78 | **missed** 0.78 |").contains("note: peer note");
    }

    @Test
    void decodeInTurnsWithoutTheNativeProbeUsesTheJavaRead() {
        // 30 tok/s against 16 GB/s = 29.41 tok/s: 1.02
        Map<String, String> notes = Map.of(LlamaTables.TURNS + "1.cpo4j", "33.333333", LlamaTables.TURNS + "1.java", "16");
        StringBuilder md = new StringBuilder();
        LlamaTables.decodeInTurns(md, List.of(new JmhRun.Timing(LlamaTables.DECODE_IN_TURNS, "1", 1, 1e6, 1e6, 8)), notes);
        assertThat(md.toString()).contains("| 1 | 1 | 1 | 30.0 | n/a | 16.0 | 29.4 | 1.02 | met 1.02 |");
    }
}
