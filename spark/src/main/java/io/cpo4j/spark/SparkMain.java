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
            String w = DataParallelJob.take(args, "--workers");
            if (w == null) throw new IllegalArgumentException("--workers N is required");
            workers = Integer.parseInt(w);
            String r = DataParallelJob.take(args, "--restarts");
            restarts = r == null ? 2 : Integer.parseInt(r);
            String t = DataParallelJob.take(args, "--timeout");
            timeout = Duration.ofMillis((long) (1000 * (t == null ? 120 : Double.parseDouble(t))));
            String b = DataParallelJob.take(args, "--bucket-mb");
            bucketBytes = (long) ((b == null ? 25 : Double.parseDouble(b)) * (1 << 20));
        } catch (IllegalArgumentException e) {
            err.println("cpo4j spark: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SparkConf conf = new SparkConf().setAppName("cpo4j " + args.get(0));
        if (!conf.contains("spark.master")) conf.setMaster("local[" + workers + "]");    // run without a cluster, as on a laptop
        SparkContext spark = new SparkContext(conf);
        try {
            DataParallelJob.Result r = new DataParallelJob(spark, workers, restarts, timeout, err).bucketBytes(bucketBytes).run(args);
            for (String line : r.replicas()) out.println("cpo4j spark: " + line);
            out.println("cpo4j spark: finished on " + workers + " workers" + (r.restarts() > 0 ? " after " + r.restarts() + " restart(s)" : ""));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("cpo4j spark: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("cpo4j spark: " + DataParallelJob.rootMessage(e));
            return 1;
        } finally {
            spark.stop();
        }
    }
}
