package io.cpo4j.cpo.negatives;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.gpt.Gpt;

/**
 * What generators may use: the policy being trained, the frozen reference, the end-of-text id,
 * and a random stream (advanced by every call, saved in checkpoints).
 */
public record NegativeContext(Gpt policy, Gpt reference, int eosToken, Rng rng) {}
