package io.cpo4j.cli.judge;

import io.cpo4j.engine.io.AtomicFiles;
import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes (prompt, candidate, reference) items in AlpacaEval's format, for judging elsewhere:
 * two JSON files, {@value #MODEL_OUTPUTS} and {@value #REFERENCE_OUTPUTS}, each a list of records
 * {@code {"dataset", "instruction", "output", "generator"}} in item order — the files AlpacaEval's
 * own {@code evaluate_from_model} writes and {@code alpaca_eval --model_outputs … --reference_outputs …}
 * reads. Each file is written atomically.
 *
 * <p>AlpacaEval pairs the two files by {@code instruction}; repeated prompts would be paired with
 * each other's outputs, so their number is returned ({@link Result#duplicatePrompts}) for the
 * caller to check (or pass AlpacaEval's {@code is_ordered=True}).
 */
public final class AlpacaEvalExport {

    public static final String MODEL_OUTPUTS = "model_outputs.json";
    public static final String REFERENCE_OUTPUTS = "reference_outputs.json";

    /** What was written. */
    public record Result(Path modelOutputs, Path referenceOutputs, int items, int duplicatePrompts) {}

    private AlpacaEvalExport() {}

    /**
     * @param generator          the model's name (AlpacaEval's leaderboard name)
     * @param referenceGenerator the reference's name, e.g. "ground_truth"
     * @param dataset            e.g. "oracle" or "dolly"
     */
    public static Result write(Path directory, List<PairItem> items, String generator, String referenceGenerator, String dataset) throws IOException {
        Path model = directory.resolve(MODEL_OUTPUTS), reference = directory.resolve(REFERENCE_OUTPUTS);
        AtomicFiles.writeString(model, Json.writePretty(records(items, true, generator, dataset)));
        AtomicFiles.writeString(reference, Json.writePretty(records(items, false, referenceGenerator, dataset)));
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (PairItem item : items) if (!seen.add(item.prompt())) duplicates++;
        return new Result(model, reference, items.size(), duplicates);
    }

    static List<Object> records(List<PairItem> items, boolean candidate, String generator, String dataset) {
        List<Object> out = new ArrayList<>(items.size());
        for (PairItem item : items) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("dataset", dataset);
            r.put("instruction", item.prompt());
            r.put("output", candidate ? item.candidate() : item.reference());
            r.put("generator", generator);
            out.add(r);
        }
        return out;
    }
}
