package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.BpeFiles;
import io.cpo4j.model.tokenizer.SharedFiles;
import io.cpo4j.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InstructionDatasetTest {

    private static final DollyRecord WITH_CONTEXT = new DollyRecord("When did Virgin Australia start operating?",
            "Virgin Australia commenced services on 31 August 2000.", "31 August 2000.", "closed_qa");
    private static final DollyRecord WITHOUT_CONTEXT = new DollyRecord("Name a {context} placeholder", "", "Like {instruction}.", "open_qa");

    @Test
    void alpacaTemplateWordForWord() {
        assertThat(PromptTemplate.ALPACA.prefix(WITH_CONTEXT.instruction(), WITH_CONTEXT.context())).isEqualTo(
                "Below is an instruction that describes a task, paired with an input that provides further context. "
                        + "Write a response that appropriately completes the request.\n\n"
                        + "### Instruction:\nWhen did Virgin Australia start operating?\n\n"
                        + "### Input:\nVirgin Australia commenced services on 31 August 2000.\n\n### Response:\n");
        // Braces in the data are not placeholders; a blank context drops the Input section.
        assertThat(PromptTemplate.ALPACA.prefix(WITHOUT_CONTEXT.instruction(), "  ")).isEqualTo(
                "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                        + "### Instruction:\nName a {context} placeholder\n\n### Response:\n");
    }

    @Test
    void prefixIsThePromptAndContinuationTheResponseThenEndOfText() throws IOException {
        Tokenizer gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
        InstructionDataset data = new InstructionDataset(List.of(WITH_CONTEXT, WITHOUT_CONTEXT), PromptTemplate.ALPACA, gpt2);
        assertThat(data.size()).isEqualTo(2);
        TokenizedExample e = data.get(0);
        PrefixContinuation text = data.text(0);
        assertThat(e.prefix()).containsExactly(gpt2.encode(text.prefix()));
        assertThat(gpt2.decode(e.prefix())).endsWith("### Response:\n");
        assertThat(e.continuation()).containsExactly(3132, 2932, 4751, 13, 50256); // "31 August 2000." <|endoftext|>
        assertThat(gpt2.decode(e.tokens())).isEqualTo(text.prefix() + "31 August 2000.<|endoftext|>");
        assertThat(data.get(0)).isEqualTo(e); // deterministic
        // "<|endoftext|>" written in a record is text, not the special token.
        InstructionDataset sneaky = new InstructionDataset(List.of(new DollyRecord("<|endoftext|>", "", "ok", "")), PromptTemplate.ALPACA, gpt2);
        assertThat(Arrays.stream(sneaky.get(0).prefix()).filter(id -> id == 50256)).isEmpty();
    }

    @Test
    void lossMaskAndTargetsSkipThePrefix() {
        TokenizedExample e = new TokenizedExample(new int[] {10, 11, 12}, new int[] {20, 21, 99});
        assertThat(e.tokens()).containsExactly(10, 11, 12, 20, 21, 99);
        assertThat(e.lossMask()).containsExactly(false, false, false, true, true, true);
        assertThat(e.inputs()).containsExactly(10, 11, 12, 20, 21);
        // Position t predicts token t+1: the first two predict prefix tokens and are ignored.
        assertThat(e.targets()).containsExactly(-100, -100, 20, 21, 99);
    }

    @Test
    void truncationKeepsTheEndOfThePrefixThenCutsTheContinuation() {
        TokenizedExample e = new TokenizedExample(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7, 8, 9});
        assertThat(e.truncated(20, 20)).isSameAs(e);
        TokenizedExample t = e.truncated(6, 3);
        assertThat(t.prefix()).containsExactly(3, 4, 5);
        assertThat(t.continuation()).containsExactly(6, 7, 8);
        assertThat(e.truncated(7, 2).continuation()).containsExactly(6, 7, 8, 9);
    }

    @Test
    void dollyAsAlpacaPromptsWithAStableSplit() throws IOException {
        List<DollyRecord> records = DollyRecord.read(SharedFiles.dataFile("dolly-15k/databricks-dolly-15k.jsonl"), false).records();
        Split.Parts<DollyRecord> parts = Split.byHash(records, DollyRecord::splitKey, 0.05, 0);
        assertThat(parts.train().size() + parts.validation().size()).isEqualTo(15_011);
        assertThat(parts.validation().size()).isBetween(650, 850); // 5 % ± about 3.5 standard deviations
        assertThat(Split.byHash(records, DollyRecord::splitKey, 0.05, 0).validation()).isEqualTo(parts.validation());
        Tokenizer gpt2 = BpeFiles.load(SharedFiles.gpt2Tokenizer());
        InstructionDataset validation = new InstructionDataset(parts.validation(), PromptTemplate.ALPACA, gpt2);
        for (int i = 0; i < validation.size(); i += 50) {
            TokenizedExample e = validation.get(i);
            assertThat(e.continuation()[e.continuation().length - 1]).isEqualTo(50256);
            assertThat(gpt2.decode(e.prefix())).isEqualTo(validation.text(i).prefix());
        }
    }
}
