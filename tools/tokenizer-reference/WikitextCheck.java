// Compares cpo4j's HfTokenizer with the ids of wikitext-ids.mjs, line by line.
//   java -cp engine/target/classes:model/target/classes tools/tokenizer-reference/WikitextCheck.java \
//        TOKENIZER_DIR TEXT_FILE MAX_BYTES EXPECTED.jsonl
import io.cpo4j.engine.io.Json;
import io.cpo4j.model.tokenizer.HfTokenizer;
import io.cpo4j.model.tokenizer.HfTokenizerFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

public class WikitextCheck {
    public static void main(String[] args) throws Exception {
        HfTokenizer tokenizer = HfTokenizerFiles.load(Path.of(args[0]));
        byte[] bytes = Files.readAllBytes(Path.of(args[1]));
        String text = new String(Arrays.copyOf(bytes, Math.min(bytes.length, Integer.parseInt(args[2]))), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        List<String> expected = Files.readAllLines(Path.of(args[3]));
        int n = lines.length - 1, bad = 0, tokens = 0, roundTripBad = 0;
        if (expected.size() != n) throw new IllegalStateException(expected.size() + " expected lines for " + n + " lines of text");
        for (int i = 0; i < n; i++) {
            int[] ids = tokenizer.encode(lines[i]);
            String want = expected.get(i);
            tokens += ids.length;
            if (!Json.write(ids).equals(want)) {
                if (bad++ < 5) System.out.println("line " + (i + 1) + " differs: " + Json.write(lines[i]) + "\n  cpo4j " + Json.write(ids) + "\n  ref   " + want);
            }
            if (!tokenizer.decode(ids).equals(lines[i])) roundTripBad++;
        }
        System.out.printf("%s: %d lines, %d tokens, %d lines differ from the reference, %d lines do not decode back%n", args[0], n, tokens, bad, roundTripBad);
    }
}
