package io.cpo4j.cli;

import io.cpo4j.model.tokenizer.IntList;
import io.cpo4j.model.tokenizer.Tokenizer;

import java.util.List;
import java.util.function.Consumer;

/**
 * Prints a continuation as its tokens arrive. Each time, the whole continuation so far is decoded
 * and only the new characters are printed, so a character split over several byte-level tokens
 * never prints half (its U+FFFD placeholder at the end is held back until the next token completes
 * it). Text that could be the start of a stop string is also held back, and the printed text is
 * cut where a stop string begins, so the stop string itself never appears.
 */
final class StreamPrinter {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final Consumer<String> sink;
    private final IntList ids = new IntList();
    private String printed = "";
    private boolean stopped;

    StreamPrinter(Tokenizer tokenizer, List<String> stops, Consumer<String> sink) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stops);
        this.sink = sink;
    }

    /** One more token of the continuation (not an end-of-text token). */
    void add(int token) {
        if (stopped) return;
        ids.add(token);
        String text = tokenizer.decode(ids.toArray());
        int cut = firstStop(text);
        if (cut >= 0) {
            stopped = true;
            emit(text.substring(0, cut));
            return;
        }
        emit(text.substring(0, text.length() - heldBack(text)));
    }

    /** Prints whatever was held back (the continuation has ended) and returns the whole printed text. */
    String finish() {
        if (!stopped) {
            String text = tokenizer.decode(ids.toArray());
            int cut = firstStop(text);
            String all = cut >= 0 ? text.substring(0, cut) : text;
            if (all.startsWith(printed)) {
                emit(all);
            } else if (all.length() > printed.length()) {
                sink.accept(all.substring(printed.length()));      // never seen with UTF-8 decoding: earlier text does not change
                printed = all;
            }
            stopped = true;
        }
        return printed;
    }

    /** Whether a stop string ended the text. */
    boolean hitStopString() {
        return !stops.isEmpty() && firstStop(tokenizer.decode(ids.toArray())) >= 0;
    }

    private int firstStop(String text) {
        int first = -1;
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        return first;
    }

    /** Characters at the end that may still change: U+FFFD of an unfinished character, or the start of a stop string. */
    private int heldBack(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == REPLACEMENT) end--;
        int hold = text.length() - end;
        int partial = 0;
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, end); n > partial; n--) {
                if (text.regionMatches(end - n, s, 0, n)) {
                    partial = n;
                    break;
                }
            }
        }
        return hold + partial;
    }

    private void emit(String upTo) {
        if (upTo.length() <= printed.length() || !upTo.startsWith(printed)) return;
        sink.accept(upTo.substring(printed.length()));
        printed = upTo;
    }
}
