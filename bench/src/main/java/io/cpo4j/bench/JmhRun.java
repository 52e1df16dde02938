package io.cpo4j.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the JMH benchmarks in a forked JVM of the same (>= 21) JDK and returns one row per benchmark and parameter set. */
final class JmhRun {

    /** One measured benchmark: microseconds per call (median and best iteration), with its parameters ({@code shape}: all but threads). */
    record Timing(String benchmark, String shape, int threads, double medianMicros, double bestMicros, int iterations) {}

    private JmhRun() {}

    static List<Timing> run(String include, List<Integer> threads, boolean quick) throws RunnerException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(include)
                .jvm(java)
                .param("threads", threads.stream().map(String::valueOf).toArray(String[]::new))
                .timeUnit(TimeUnit.MICROSECONDS)
                .jvmArgsPrepend(forkProperties())
                .shouldFailOnError(true);
        if (quick) {
            b.warmupIterations(1).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(300));
        }
        List<Timing> timings = new ArrayList<>();
        for (RunResult r : runWhenLockFree(new Runner(b.build()))) {
            String name = r.getParams().getBenchmark();
            Statistics s = r.getPrimaryResult().getStatistics();
            timings.add(new Timing(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    shape(r), Integer.parseInt(r.getParams().getParam("threads")),
                    s.getPercentile(50), s.getMin(), (int) s.getN()));
        }
        return timings;
    }

    /** The notes file, and the checkout and peers folder when the runner set them. */
    private static String[] forkProperties() {
        List<String> props = new ArrayList<>(List.of("-D" + Notes.PROPERTY + "=" + Notes.file()));
        for (String key : List.of(TrainStepInTurnsBenchmark.ROOT, TrainStepInTurnsBenchmark.PEERS)) {
            String v = System.getProperty(key);
            if (v != null) props.add("-D" + key + "=" + v);
        }
        return props.toArray(String[]::new);
    }

    /** The benchmark's parameters other than threads (a shape, a config, a recipe), joined by ",". */
    private static String shape(RunResult r) {
        List<String> values = new ArrayList<>();
        for (String key : r.getParams().getParamsKeys()) if (!key.equals("threads")) values.add(r.getParams().getParam(key));
        return String.join(",", values);
    }

    /**
     * JMH refuses to start while another JMH run on the machine holds {@code /tmp/jmh.lock}
     * (two runs would spoil each other's figures); wait for it, up to half an hour, rather than fail.
     */
    private static java.util.Collection<RunResult> runWhenLockFree(Runner runner) throws RunnerException {
        for (int attempt = 1; ; attempt++) {
            try {
                return runner.run();
            } catch (RunnerException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.contains("JMH lock") || attempt >= 60) throw e;
                System.out.println("# another JMH run holds /tmp/jmh.lock; waiting 30 s (" + attempt + "/60)");
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
