package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class Gpt2PreTokenizerTest {

    private static List<String> byRegex(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = Gpt2PreTokenizer.PATTERN.matcher(text);
        while (m.find()) pieces.add(m.group());
        return pieces;
    }

    @Test
    void splitsLikeGpt2() {
        assertThat(Gpt2PreTokenizer.split("I'm sure they'll've done it; it's John's."))
                .containsExactly("I", "'m", " sure", " they", "'ll", "'ve", " done", " it", ";", " it", "'s", " John", "'s", ".");
        // A run of spaces leaves its last space to the word after it; at the end it stays whole.
        assertThat(Gpt2PreTokenizer.split("multiple   spaces\t\tx  ")).containsExactly("multiple", "  ", " spaces", "\t", "\t", "x", "  ");
        assertThat(Gpt2PreTokenizer.split("3.14159 and 1,000")).containsExactly("3", ".", "14159", " and", " 1", ",", "000");
        // Contractions are case-sensitive; a space before punctuation joins it.
        assertThat(Gpt2PreTokenizer.split("I'M ok !?")).containsExactly("I", "'", "M", " ok", " !?");
    }

    @Test
    void unicodeClassesAreUnicodeNotAscii() {
        // U+00A0 and U+3000 are White_Space; U+200B (zero width) is not, nor is U+FEFF.
        assertThat(Gpt2PreTokenizer.split("a\u00a0b")).containsExactly("a", "\u00a0", "b");
        assertThat(Gpt2PreTokenizer.split("x\u3000\u3000y")).containsExactly("x", "\u3000", "\u3000", "y");
        assertThat(Gpt2PreTokenizer.split("zero\u200bwidth\ufeff")).containsExactly("zero", "\u200b", "width", "\ufeff");
        // Letters beyond the BMP, numbers that are not ASCII digits (No, Nl, Nd), combining marks.
        assertThat(Gpt2PreTokenizer.split(" 𝔘𝔫𝔦 x²Ⅻ٣ e\u0301")).containsExactly(" 𝔘𝔫𝔦", " x", "²Ⅻ٣", " e", "\u0301");
        assertThat(Gpt2PreTokenizer.split("👍🏽 ok")).containsExactly("👍🏽", " ok");
    }

    @Test
    void whiteSpaceIsUnicodesProperty() {
        Pattern ws = Pattern.compile("\\p{IsWhite_Space}");
        for (int cp = 0; cp <= 0x3000; cp++) {
            if (Character.isSurrogate((char) cp)) continue;
            assertThat(Gpt2PreTokenizer.isWhiteSpace(cp)).as("U+%04X", cp).isEqualTo(ws.matcher(new String(Character.toChars(cp))).matches());
        }
    }

    @Test
    void handWrittenScannerAgreesWithTheRegexOnRandomText() {
        String[] alphabet = {"a", "Z", "s", "t", "m", "d", "l", "r", "e", "v", "'", " ", " ", "\t", "\n", "\r", "\u000b", "\u001c", "\u0085",
                "\u00a0", "\u1680", "\u2007", "\u200b", "\u2028", "\u202f", "\u3000", "\ufeff", "é", "ß", "中", "ا", "𝔘", "😀", "🏽", "\u0301",
                "1", "9", "²", "Ⅻ", "٣", "½", ".", ",", "-", "@", "\"", "<", "|", ">", "\u00ad", "\u0000", "\u007f", "ﬁ"};
        Rng rng = new Rng(42);
        for (int c = 0; c < 20_000; c++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rng.nextInt(40);
            for (int i = 0; i < len; i++) sb.append(alphabet[rng.nextInt(alphabet.length)]);
            String text = sb.toString();
            List<String> pieces = Gpt2PreTokenizer.split(text);
            assertThat(pieces).as("%s", text).isEqualTo(byRegex(text));
            assertThat(String.join("", pieces)).isEqualTo(text);
        }
    }
}
