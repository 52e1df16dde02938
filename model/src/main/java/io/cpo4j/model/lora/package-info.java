/**
 * LoRA (Hu et al. 2021) as HuggingFace PEFT has it: {@link io.cpo4j.model.lora.LoraConfig} names
 * the projections, {@link io.cpo4j.model.lm.LanguageModel#withLora} attaches adapters that share
 * and freeze the base weights, {@link io.cpo4j.model.lm.LanguageModel#withoutAdapters} gives the
 * base back (the reference model, at no memory cost), and {@link io.cpo4j.model.hf.PeftAdapters}
 * reads and writes PEFT's adapter folders.
 */
package io.cpo4j.model.lora;
