/** Decoder-only language models (GPT-2, the Llama family), tokenizers, datasets, next-token training, checkpoints and generation. */
module io.cpo4j.model {
    requires transitive io.cpo4j.engine;

    exports io.cpo4j.model;
    exports io.cpo4j.model.lm;
    exports io.cpo4j.model.gpt;
    exports io.cpo4j.model.llama;
    exports io.cpo4j.model.lora;
    exports io.cpo4j.model.hf;
    exports io.cpo4j.model.tokenizer;
    exports io.cpo4j.model.data;
    exports io.cpo4j.model.train;
    exports io.cpo4j.model.gen;
}
