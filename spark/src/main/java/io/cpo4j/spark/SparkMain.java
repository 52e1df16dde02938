package io.cpo4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code spark-submit --class io.cpo4j.spark.SparkMain cpo4j-spark.jar train|finetune [the command
 * line's options] --workers N [--restarts K] [--timeout SECONDS]}: the command as a synchronous
 * data-parallel job of N barrier tasks. {@code --out} is a Hadoop path every task reaches;
 * {@code --batch} is the global batch, shared evenly by the workers.
 */
public final class SparkMain {

    private SparkMain() {}

    static final String USAGE = """
            usage: spark-submit --class io.cpo4j.spark.SparkMain cpo4j-spark.jar train|finetune [options of ./cpo4j train|finetune]
                                --out PATH --workers N [--restarts K] [--timeout SECONDS] [--bucket-mb MB]

              --workers N          barrier tasks, one replica each (the cluster needs N free task slots)
              --restarts K         times a failed stage starts again from the newest checkpoint (default 2)
              --timeout SECONDS    how long a replica waits for a peer before failing the stage (default 120)
              --bucket-mb MB       gradients travel in buckets of MB while the backward pass runs (default 25,
                                   as PyTorch DDP); 0 sends the whole gradient after it
              --out PATH           the run folder, a Hadoop path every task reaches (file://, hdfs://, s3a://)
              --batch B            the global batch: each worker computes B / N examples
            """;

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> given, PrintStream out, PrintStream err) {
        if (given.isEmpty() || given.contains("--help")) {
            out.print(USAGE);
            return given.isEmpty() ? 2 : 0;
        }
        List<String> args = new ArrayList<>(given);
        int workers, restarts;
        Duration timeout;
        long bucketBytes;
        try {
            workers = (int) number(args, "--workers", Double.NaN, 1, 100_000);
            restarts = (int) number(args, "--restarts", 2, 0, 1000);
            timeout = Duration.ofMillis((long) (1000 * number(args, "--timeout", 120, 0.001, 86_400)));
            bucketBytes = (long) (number(args, "--bucket-mb", 25, 0, 1 << 20) * (1 << 20));
            if (args.isEmpty() || !List.of("train", "finetune").contains(args.get(0))) {
                throw new IllegalArgumentException("the first argument must be train or finetune, got " + (args.isEmpty() ? "nothing" : "'" + args.get(0) + "'"));
            }
        } catch (IllegalArgumentException e) {
            err.println("cpo4j spark: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SparkContext spark = null;
        try {
            SparkConf conf = new SparkConf().setAppName("cpo4j " + args.get(0));
            if (!conf.contains("spark.master")) conf.setMaster("local[" + workers + "]");    // run without a cluster, as on a laptop
            spark = new SparkContext(conf);
            DataParallelJob.Result r = new DataParallelJob(spark, workers, restarts, timeout, err).bucketBytes(bucketBytes).run(args);
            for (String line : r.replicas()) out.println("cpo4j spark: " + line);
            out.println("cpo4j spark: finished on " + workers + " workers" + (r.restarts() > 0 ? " after " + r.restarts() + " restart(s)" : "")
                    + "; the run is in " + DataParallelJob.outOf(given));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("cpo4j spark: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("cpo4j spark: " + (e instanceof java.io.IOException && e.getMessage() != null ? e.getMessage() : DataParallelJob.rootMessage(e)));
            return 1;
        } finally {
            if (spark != null) spark.stop();
        }
    }

    /** Removes {@code flag VALUE} from args and returns the value as a number in [min, max] ({@code fallback} when absent; NaN: required). */
    static double number(List<String> args, String flag, double fallback, double min, double max) {
        String v = DataParallelJob.take(args, flag);
        if (v == null) {
            if (Double.isNaN(fallback)) throw new IllegalArgumentException(flag + " is required");
            return fallback;
        }
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + v + "'");
        }
        if (!(x >= min && x <= max)) throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + v);
        return x;
    }
}
