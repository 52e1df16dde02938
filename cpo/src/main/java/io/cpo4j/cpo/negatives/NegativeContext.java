package io.cpo4j.cpo.negatives;

import io.cpo4j.engine.Rng;
import io.cpo4j.model.lm.LanguageModel;

/**
 * What generators may use: the policy being trained, the frozen reference, the end-of-text id,
 * and a random stream (advanced by every call, saved in checkpoints).
 */
public record NegativeContext(LanguageModel policy, LanguageModel reference, int eosToken, Rng rng) {}
