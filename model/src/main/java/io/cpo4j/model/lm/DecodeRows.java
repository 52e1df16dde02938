package io.cpo4j.model.lm;

/**
 * The new tokens of one decoding step, flattened into rows: row r is token {@code token[r]} of
 * sequence {@code sequence[r]} at position {@code position[r]} (its cache's length plus its index
 * among that sequence's new tokens).
 */
public record DecodeRows(int[] sequence, int[] position, int[] token) {

    /** Checks the step ({@link Decoder#checkStep}) and lays out its rows. */
    public static DecodeRows of(ModelConfig config, KvCache[] caches, int[][] tokens) {
        int rows = Decoder.checkStep(config, caches, tokens);
        int[] seq = new int[rows], pos = new int[rows], tok = new int[rows];
        for (int s = 0, r = 0; s < caches.length; s++) {
            for (int j = 0; j < tokens[s].length; j++, r++) {
                seq[r] = s;
                pos[r] = caches[s].length() + j;
                tok[r] = tokens[s][j];
            }
        }
        return new DecodeRows(seq, pos, tok);
    }

    public int count() {
        return token.length;
    }

    /** The rows of x (R, width) the caller asked logits for: every row, or each sequence's last. */
    public float[] outputRows(float[] x, int width, boolean allPositions) {
        if (allPositions) return x;
        int seqs = sequence.length == 0 ? 0 : sequence[sequence.length - 1] + 1;
        float[] last = new float[seqs * width];
        for (int r = 0; r < count(); r++) {
            boolean lastOfItsSequence = r == count() - 1 || sequence[r + 1] != sequence[r];
            if (lastOfItsSequence) System.arraycopy(x, r * width, last, sequence[r] * width, width);
        }
        return last;
    }

    /** Marks every sequence's new tokens as cached. */
    public void advance(KvCache[] caches, int[][] tokens) {
        for (int s = 0; s < caches.length; s++) caches[s].advance(tokens[s].length);
    }
}
