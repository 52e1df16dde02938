package io.cpo4j.model.data;

import io.cpo4j.model.tokenizer.Utf8;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Plain UTF-8 text corpora such as Tiny Shakespeare. */
public final class PlainText {

    private PlainText() {}

    /** The whole file; invalid UTF-8 is an error naming the file, byte offset and line. */
    public static String read(Path file) throws IOException {
        return Utf8.readFile(file);
    }

    /**
     * The text cut at blank lines (runs of two or more newlines), as llm.c's Tiny Shakespeare
     * preparation cuts it into sections; empty pieces are dropped.
     */
    public static List<String> paragraphs(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.split("\n{2,}")) if (!p.isBlank()) out.add(p);
        return out;
    }
}
