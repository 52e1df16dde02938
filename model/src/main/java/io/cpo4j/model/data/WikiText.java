package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Utf8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * WikiText-2/103 raw files ({@code wiki.train.raw}, {@code wiki.valid.raw}, {@code wiki.test.raw}):
 * every line starts with a space and ends with " \n"; an article starts at a line
 * {@code " = Title = "}, and {@code " = = Section = = "} lines (more '=' for deeper levels) stay
 * inside it. Words are space-separated with punctuation split off, and WikiText marks a hyphen,
 * thousands separator and decimal point inside a word as {@code " @-@ "}, {@code " @,@ "},
 * {@code " @.@ "}; {@link #restoreMarkers} turns them back into {@code -}, {@code ,}, {@code .}
 * ({@code "1 @,@ 000"} → {@code "1,000"}). Nothing else is detokenized.
 */
public final class WikiText {

    /** One article: its title, and its text verbatim from the title line to the next article (or markers restored). */
    public record Article(String title, String text) {}

    private WikiText() {}

    public static List<Article> read(Path file, boolean restoreMarkers) throws IOException {
        return parse(Utf8.readFile(file), restoreMarkers);
    }

    /**
     * The articles of a raw WikiText text, in order. A title line must stand between blank lines,
     * as every real title does: that keeps formula lines such as {@code " = 1 henry and
     * capacitance C = "} inside their article (WikiText-2 then has the paper's 60 validation and
     * 60 test articles). Blank lines before the first title belong to no article; text before
     * the first title that is not blank becomes an article with an empty title.
     */
    public static List<Article> parse(String raw, boolean restoreMarkers) {
        List<int[]> lines = new ArrayList<>(); // [start, end without '\n', end with it]
        for (int pos = 0; pos < raw.length(); ) {
            int nl = raw.indexOf('\n', pos);
            int end = nl < 0 ? raw.length() : nl;
            lines.add(new int[] {pos, end, nl < 0 ? end : end + 1});
            pos = nl < 0 ? raw.length() : nl + 1;
        }
        List<Article> articles = new ArrayList<>();
        String title = null;
        int articleStart = -1;
        for (int i = 0; i < lines.size(); i++) {
            int[] l = lines.get(i);
            String line = raw.substring(l[0], l[1]);
            String heading = articleTitle(line);
            boolean blankBefore = i == 0 || isBlank(raw, lines.get(i - 1));
            boolean blankAfter = i + 1 == lines.size() || isBlank(raw, lines.get(i + 1));
            if (heading != null && blankBefore && blankAfter) {
                if (articleStart >= 0) articles.add(article(title, raw.substring(articleStart, l[0]), restoreMarkers));
                title = heading;
                articleStart = l[0];
            } else if (articleStart < 0 && !line.isBlank()) {
                title = "";
                articleStart = l[0];
            }
        }
        if (articleStart >= 0) articles.add(article(title, raw.substring(articleStart), restoreMarkers));
        return articles;
    }

    private static boolean isBlank(String raw, int[] line) {
        for (int i = line[0]; i < line[1]; i++) if (!Character.isWhitespace(raw.charAt(i))) return false;
        return true;
    }

    private static Article article(String title, String text, boolean restore) {
        return restore ? new Article(restoreMarkers(title), restoreMarkers(text)) : new Article(title, text);
    }

    /** The title when the line is a top-level heading " = Title = ", else null. */
    static String articleTitle(String line) {
        String s = line.strip();
        if (s.length() < 5 || !s.startsWith("= ") || !s.endsWith(" =") || s.startsWith("= =")) return null;
        return s.substring(2, s.length() - 2).strip();
    }

    /** {@code " @-@ "} → "-", {@code " @,@ "} → ",", {@code " @.@ "} → ".". */
    public static String restoreMarkers(String text) {
        if (text.indexOf('@') < 0) return text;
        return text.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".");
    }
}
