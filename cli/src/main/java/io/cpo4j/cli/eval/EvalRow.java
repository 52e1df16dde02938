package io.cpo4j.cli.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of an evaluation: a model at a decoding setting, with the oracle's metrics of its
 * generations and, when measured, its coverage NLL at that temperature (null for greedy or when
 * not measured).
 */
public record EvalRow(String model, Decoding decoding, OracleMetrics metrics, Interval coverageNll) {

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("decoding", decoding.name());
        m.put("temperature", decoding.temperature());
        m.put("coverage_nll", coverageNll == null ? null : coverageNll.toJson());
        m.putAll(metrics.toJson());
        return m;
    }
}
