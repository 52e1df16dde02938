package io.cpo4j.cli;

import io.cpo4j.model.tokenizer.Tokenizer;
import io.cpo4j.model.tokenizer.Utf8;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StreamPrinterTest {

    /** One token per byte, decoded as Python's errors="replace": the worst case for streaming. */
    static final Tokenizer BYTES = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
            return ids;
        }

        @Override
        public int[] encode(String text, Set<String> allowedSpecial) {
            return encode(text);
        }

        @Override
        public String decode(int[] ids) {
            byte[] b = new byte[ids.length];
            for (int i = 0; i < ids.length; i++) b[i] = (byte) ids[i];
            return Utf8.decodeLenient(b);
        }

        @Override
        public int vocabSize() {
            return 256;
        }

        @Override
        public int eotToken() {
            throw new IllegalStateException();
        }

        @Override
        public Map<String, Integer> specialTokens() {
            return Map.of();
        }
    };

    private static List<String> stream(String text, List<String> stops, List<String> chunks) {
        StreamPrinter p = new StreamPrinter(BYTES, stops, chunks::add);
        for (int id : BYTES.encode(text)) p.add(id);
        chunks.add("|finish|");
        String all = p.finish();
        chunks.add("=" + all);
        return chunks;
    }

    @Test
    void multiByteCharactersNeverPrintHalf() {
        String text = "héllo wörld 中文 😀!";
        List<String> chunks = stream(text, List.of(), new ArrayList<>());
        List<String> printed = chunks.subList(0, chunks.indexOf("|finish|"));
        assertThat(printed).allSatisfy(c -> assertThat(c).doesNotContain("\uFFFD"));
        assertThat(String.join("", printed)).isEqualTo(text);
        assertThat(chunks).last().isEqualTo("=" + text);
        assertThat(printed).contains("é", "中", "😀");              // each character arrives whole, with its last byte
    }

    @Test
    void anUnfinishedCharacterAtTheEndPrintsAsReplacementWhenGenerationEnds() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        List<String> chunks = new ArrayList<>();
        StreamPrinter p = new StreamPrinter(BYTES, List.of(), chunks::add);
        p.add('a');
        p.add(euro[0] & 0xFF);
        p.add(euro[1] & 0xFF);
        assertThat(chunks).containsExactly("a");
        assertThat(p.finish()).isEqualTo("a\uFFFD");
        assertThat(chunks).containsExactly("a", "\uFFFD");
        // An invalid byte in the middle prints once the text after it shows it is not a character's start.
        chunks.clear();
        StreamPrinter q = new StreamPrinter(BYTES, List.of(), chunks::add);
        for (int id : new int[] {'x', 0xFF, 'y'}) q.add(id);
        assertThat(String.join("", chunks)).isEqualTo("x\uFFFDy");
    }

    @Test
    void stopStringsCutTheTextAndAreNeverPrinted() {
        List<String> chunks = stream("Answer: 42\n### Next question", List.of("###", "\n\n"), new ArrayList<>());
        String printed = String.join("", chunks.subList(0, chunks.indexOf("|finish|")));
        assertThat(printed).isEqualTo("Answer: 42\n");
        assertThat(chunks).last().isEqualTo("=Answer: 42\n");
        assertThat(String.join("", chunks)).doesNotContain("#");

        // The earliest stop wins; text held back as a possible stop start is released when it is not one.
        List<String> held = stream("a#b##c", List.of("###", "##c"), new ArrayList<>());
        assertThat(held.subList(0, held.indexOf("|finish|"))).containsExactly("a", "#b");
        assertThat(held).last().isEqualTo("=a#b");
        List<String> released = stream("ab#", List.of("##"), new ArrayList<>());
        assertThat(released).containsExactly("a", "b", "|finish|", "#", "=ab#");
    }

    @Test
    void aStopStringAcrossTokensIsFound() {
        StreamPrinter p = new StreamPrinter(BYTES, List.of("END"), s -> { });
        for (int id : BYTES.encode("the END is near")) p.add(id);
        assertThat(p.hitStopString()).isTrue();
        assertThat(p.finish()).isEqualTo("the ");
    }
}
