package io.cpo4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults injected on purpose, to test recovery: Spark conf {@code spark.cpo4j.faults} is a comma
 * list of {@code KIND:RANK:STEP[:ATTEMPT]} — {@code throw} fails replica RANK just before it combines
 * the gradients of the STEP-th step it runs (counted from 1 in that job attempt: on a resumed job,
 * the STEP-th step after the checkpoint), {@code hang} makes it stop answering there — on job
 * attempt ATTEMPT (default 0, the first), so a restarted job runs clean. Empty: none.
 */
record Faults(List<Fault> faults) implements Serializable {

    static final String CONF = "spark.cpo4j.faults";
    static final Faults NONE = new Faults(List.of());

    record Fault(String kind, int rank, int step, int attempt) implements Serializable {}

    static Faults parse(String spec) {
        List<Fault> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) return NONE;
        for (String f : spec.split(",")) {
            String[] p = f.strip().split(":");
            if (p.length < 3 || p.length > 4 || !(p[0].equals("throw") || p[0].equals("hang"))) {
                throw new IllegalArgumentException(CONF + ": '" + f + "' is not KIND:RANK:STEP[:ATTEMPT] with KIND throw or hang");
            }
            out.add(new Fault(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), p.length == 4 ? Integer.parseInt(p[3]) : 0));
        }
        return new Faults(List.copyOf(out));
    }

    /** The hook of job attempt {@code attempt}. */
    RingReplica.StepHook hook(int attempt) {
        if (faults.isEmpty()) return RingReplica.StepHook.NONE;
        return (rank, step) -> {
            for (Fault f : faults) {
                if (f.rank() != rank || f.step() != step || f.attempt() != attempt) continue;
                if (f.kind().equals("throw")) throw new IOException("injected fault: replica " + rank + " fails at step " + step + " (" + CONF + ")");
                try {
                    Thread.sleep(20_000);                           // hang: the others' reads time out first
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("injected hang of replica " + rank + " interrupted", e);
                }
            }
        };
    }
}
