package io.cpo4j.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Oniguruma's Unicode classes spelled out for java.util.regex. */
class HfRegexTest {

    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static List<String> matches(String regex, String text) {
        Matcher m = HfRegex.compile(regex).matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) out.add(m.group());
        return out;
    }

    @Test
    void spaceIsUnicodeWhiteSpace() {
        Pattern p = HfRegex.compile("\\s");
        for (int cp : new int[] {' ', '\t', '\n', 0x0B, 0x85, 0xA0, 0x1680, 0x2000, 0x2009, 0x200A, 0x2028, 0x202F, 0x205F, 0x3000}) {
            assertThat(p.matcher(Character.toString(cp)).matches()).as("U+%04X", cp).isTrue();
        }
        for (int cp : new int[] {'a', '_', 0x200B, 0x200D, 0xFEFF, 0x180E}) {
            assertThat(p.matcher(Character.toString(cp)).matches()).as("U+%04X", cp).isFalse();
        }
        assertThat(HfRegex.compile("[^\\s]").matcher("\u00a0").matches()).isFalse();
        assertThat(HfRegex.compile("\\S").matcher("\u3000").matches()).isFalse();
    }

    @Test
    void digitsAndWordCharactersAreUnicode() {
        assertThat(HfRegex.compile("\\d+").matcher("٣4३").matches()).isTrue();       // Arabic-Indic, ASCII, Devanagari
        assertThat(HfRegex.compile("\\w+").matcher("é_ß9").matches()).isTrue();
        assertThat(HfRegex.compile("[\\w]+").matcher("日本").matches()).isTrue();
    }

    @Test
    void llama3PatternCutsAsHuggingFaceDoes() {
        // Hand-derived: contractions split off, digits in threes, any one non-letter (even U+0085) joins the letters after it.
        assertThat(matches(LLAMA3, "DON'T 12345 x\u0085y  z\n\n")).containsExactly("DON", "'T", " ", "123", "45", " x", "\u0085y", " ", " z", "\n\n");
        // U+FEFF is not white space for Oniguruma (it is for JavaScript): it is a symbol that joins the letters after it.
        assertThat(matches(LLAMA3, "a \uFEFFb")).containsExactly("a", " \uFEFF", "b");
    }
}
