package io.cpo4j.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs {@code train} or {@code finetune} (the command line's options) as a synchronous
 * data-parallel job on a Spark cluster: one barrier stage of {@code workers} tasks, each a replica
 * ({@link ReplicaTask}). {@code --out} is a Hadoop path every task reaches. A stage that fails (an
 * exception, a lost executor, a peer that stopped answering) is started again from the newest
 * checkpoint there, up to {@code restarts} times; since a resumed run repeats the uninterrupted one
 * bit for bit, the final model is the same.
 */
public final class DataParallelJob {

    /** How the job ended: one line per replica ({@code rank r hash h comm_seconds s}) and the restarts it took. */
    public record Result(List<String> replicas, int restarts) {}

    private final SparkContext spark;
    private final int workers, restarts;
    private final Duration timeout;
    private final PrintStream log;
    private long bucketBytes = io.cpo4j.spark.ring.RingReducer.DEFAULT_BUCKET_BYTES;

    public DataParallelJob(SparkContext spark, int workers, int restarts, Duration timeout, PrintStream log) {
        if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
        if (restarts < 0) throw new IllegalArgumentException("--restarts must be at least 0, got " + restarts);
        this.spark = spark;
        this.workers = workers;
        this.restarts = restarts;
        this.timeout = timeout;
        this.log = log;
    }

    /** Gradients travel in buckets of about this many bytes while the backward pass runs (25 MB by default, as DDP); 0: after it. */
    public DataParallelJob bucketBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("--bucket-mb must be ≥ 0");
        this.bucketBytes = bytes;
        return this;
    }

    /** Runs {@code command} ({@code train …} or {@code finetune …} with {@code --out PATH}) to the end. */
    public Result run(List<String> command) throws IOException {
        List<String> args = new ArrayList<>(command);
        String out = take(args, "--out");
        if (out == null) throw new IllegalArgumentException("--out is required: a folder (Hadoop path) every worker can reach");
        boolean resume = args.remove("--resume");
        if (args.contains("--overwrite")) throw new IllegalArgumentException("--overwrite is not taken on a cluster: delete " + out + " first, or choose another --out");
        SharedRun shared = new SharedRun(out, spark.hadoopConfiguration());
        if (shared.holdsRun() && !resume) {
            throw new IllegalArgumentException(out + " already holds a run (config.json); add --resume to continue it, or choose another --out");
        }
        String injected = spark.getLocalProperty(Faults.CONF);            // this thread's, else the application's
        Faults faults = Faults.parse(injected != null ? injected : spark.getConf().get(Faults.CONF, ""));
        ClassTag<Integer> ints = ClassTag$.MODULE$.apply(Integer.class);
        ClassTag<String> strings = ClassTag$.MODULE$.apply(String.class);
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        for (int attempt = 0; ; attempt++) {
            RDD<Integer> tasks = spark.parallelize(scala.jdk.javaapi.CollectionConverters.asScala(ranks).toSeq(), workers, ints);
            try {
                Object rows = tasks.barrier().mapPartitions(new ReplicaTask(args, shared, timeout, bucketBytes, faults, attempt), false, strings).collect();
                List<String> lines = new ArrayList<>(List.of((String[]) rows));
                return new Result(lines, attempt);
            } catch (Exception thrown) {                                 // Scala declares nothing: a SparkException is a stage that failed
                if (thrown instanceof RuntimeException r) throw r;
                if (!(thrown instanceof SparkException e)) throw new IOException(thrown);
                List<String> reasons = shared.takeFailures(attempt);
                String why = reasons.isEmpty() ? rootMessage(e) : String.join("; ", reasons);
                if (attempt >= restarts) throw new IOException("the training stage failed " + (attempt + 1) + " time(s), the last: " + why, e);
                log.println("cpo4j spark: the training stage failed (" + why + "); restarting from the newest checkpoint in " + out
                        + " (" + (attempt + 1) + " of " + restarts + " restarts)");
            }
        }
    }

    /** Removes {@code flag VALUE} from {@code args}; returns the value, or null. */
    static String take(List<String> args, String flag) {
        int i = args.indexOf(flag);
        if (i < 0) return null;
        if (i + 1 >= args.size()) throw new IllegalArgumentException(flag + " needs a value");
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }

    /** The --out of a command line, or "?" . */
    static String outOf(List<String> args) {
        int i = args.indexOf("--out");
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "?";
    }

    /** The innermost cause's message (what actually went wrong in the task), stopping at a ring error, which names the peer. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (!(t instanceof io.cpo4j.spark.ring.RingException) && t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
