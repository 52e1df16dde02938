package io.cpo4j.model.data;

/**
 * A batch of next-token windows: {@code targets[b·T + t]} is the token that follows
 * {@code inputs[b·T + t]}, as llm.c's DataLoader gives them.
 *
 * @param inputs  (B, T) token ids
 * @param targets (B, T) the same windows shifted by one token
 * @param rows    B, the number of windows (the last evaluation batch may have fewer than asked)
 * @param block   T, tokens per window
 */
public record Batch(int[] inputs, int[] targets, int rows, int block) {

    public Batch {
        if (inputs.length != rows * block || targets.length != rows * block) {
            throw new IllegalArgumentException("batch arrays must hold rows × block = " + rows + " × " + block + " ids");
        }
    }

    /** Copies the window of T+1 tokens starting at {@code start} into row {@code row}. */
    static void fillRow(TokenShard tokens, int start, int row, int block, int[] inputs, int[] targets) {
        tokens.copy(start, inputs, row * block, block);
        tokens.copy(start + 1, targets, row * block, block);
    }
}
