package io.cpo4j.bench;

import java.util.List;
import java.util.Map;

/** The Llama training step measured in turns with torch ({@link LlamaStepInTurnsBenchmark}): the GPT in-turns table's rows, with its own notes. */
final class LlamaTurnsTable {

    static final String BENCHMARK = "LlamaStepInTurnsBenchmark.step";
    /** Notes {@code llama.turns.<config>.<threads>.<who>}: ms per step in call order. */
    static final String NOTES = "llama.turns.";

    private LlamaTurnsTable() {}

    static void write(StringBuilder md, List<JmhRun.Timing> rows, Map<String, String> notes) {
        md.append("Each benchmark call runs one cpo4j step and one step of each torch peer (`bench/peers/paired_llama_peer.py`, which runs\n")
          .append("the step of `bench/peers/torch_llama_step.py --mode step --config ").append(LlamaTables.SHAPE.name())
          .append(" --threads N --grad-clip 1`, on OpenBLAS's best kernel set for this machine when one is known),\n")
          .append("each step after a pause of ").append(PeerProcess.SETTLE_MILLIS).append(" ms, in an order that rotates from call to call; the ratio is taken\n")
          .append("within each call against the faster torch of that call, and the table gives medians over the measured calls (6, after 2 warm-up calls).\n")
          .append("Batch ").append(LlamaTables.STEP_BATCH).append(" × ").append(LlamaTables.STEP_BLOCK).append(" tokens of random ids; both clip gradients at norm 1.\n\n");
        ModelTables.inTurnsRows(md, rows, notes, NOTES, config -> LlamaTables.STEP_BATCH * LlamaTables.STEP_BLOCK);
    }
}
