package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.SharedFiles;
import io.cpo4j.model.tokenizer.Utf8;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WikiTextTest {

    private static final String SAMPLE = " \n = Alpha = \n \n Alpha is a guest @-@ starring role in 1 @,@ 000 films , rated 3 @.@ 5 . \n"
            + " \n = = History = = \n \n It began . \n = x = \n 1 farad . \n \n \n = Beta ( film ) = \n \n Beta 's text . \n \n";

    @Test
    void splitsArticlesAtTitlesBetweenBlankLines() {
        List<WikiText.Article> articles = WikiText.parse(SAMPLE, false);
        assertThat(articles).extracting(WikiText.Article::title).containsExactly("Alpha", "Beta ( film )");
        WikiText.Article alpha = articles.get(0);
        assertThat(alpha.text()).startsWith(" = Alpha = \n").contains(" = = History = = \n").contains(" = x = \n 1 farad").endsWith(" \n \n \n");
        // Articles are the file verbatim, minus the blank line before the first title.
        assertThat(alpha.text() + articles.get(1).text()).isEqualTo(SAMPLE.substring(" \n".length()));
    }

    @Test
    void restoresMarkersOnRequest() {
        String restored = WikiText.parse(SAMPLE, true).get(0).text();
        assertThat(restored).contains("guest-starring role in 1,000 films , rated 3.5 .");
        assertThat(WikiText.parse(SAMPLE, false).get(0).text()).contains("guest @-@ starring");
        assertThat(WikiText.restoreMarkers(" = M @-@ 82 ( Michigan highway ) = ")).isEqualTo(" = M-82 ( Michigan highway ) = ");
        assertThat(WikiText.restoreMarkers("1 @,@ 000 @,@ 000 and 3 @.@ 14")).isEqualTo("1,000,000 and 3.14");
    }

    @Test
    void wikiText2HasThePapersArticleCounts() throws IOException {
        Path valid = SharedFiles.dataFile("wikitext-2-raw/wiki.valid.raw");
        Path test = SharedFiles.dataFile("wikitext-2-raw/wiki.test.raw");
        List<WikiText.Article> v = WikiText.read(valid, false), t = WikiText.read(test, false);
        // Merity et al. 2016, table 1: 60 validation and 60 test articles.
        assertThat(v).hasSize(60);
        assertThat(t).hasSize(60);
        assertThat(v.get(0).title()).isEqualTo("Homarus gammarus");
        assertThat(t.get(0).title()).isEqualTo("Robert Boulter");
        assertThat(t).extracting(WikiText.Article::title).contains("Constant k filter").doesNotContain("1 henry and capacitance C");
        String raw = Utf8.readFile(valid);
        assertThat(String.join("", v.stream().map(WikiText.Article::text).toList())).isEqualTo(raw.substring(" \n".length()));
        List<WikiText.Article> restored = WikiText.read(valid, true);
        assertThat(restored.stream().map(WikiText.Article::text)).noneMatch(s -> s.contains(" @-@ ") || s.contains(" @,@ ") || s.contains(" @.@ "));
        assertThat(restored.get(2).title()).isEqualTo("M-82 ( Michigan highway )");
    }
}
