package io.cpo4j.model.gen;

/**
 * One generated sequence.
 *
 * @param prompt   index of its prompt in the call
 * @param sample   which of the prompt's n samples
 * @param tokens   the new tokens (a stop token, when it ended the sequence, is the last one)
 * @param logProbs the model's log-probability of each new token (temperature 1, before any sampling filter)
 * @param finish   why it ended
 */
public record Generation(int prompt, int sample, int[] tokens, float[] logProbs, Finish finish) {

    public enum Finish { STOP_TOKEN, STOP_STRING, LENGTH }

    /** Σ logProbs: the model's log-probability of the whole continuation. */
    public double logProb() {
        double s = 0;
        for (float l : logProbs) s += l;
        return s;
    }
}
