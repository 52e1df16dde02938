package io.cpo4j.spark;

import io.cpo4j.cli.Main;
import io.cpo4j.spark.ring.Ring;
import io.cpo4j.spark.ring.RingListener;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The body of one barrier task: replica {@code partitionId} of a data-parallel run. It opens a
 * listening socket, exchanges addresses with the other tasks once through Spark's
 * {@code allGather}, joins the ring, fetches the newest shared checkpoint (if any) into a local
 * run folder of its own and runs the command there as one {@link RingReplica}; rank 0 publishes
 * every checkpoint and, at the end, the model and the report. Returns one line:
 * {@code rank <r> hash <h> comm_seconds <s>}.
 */
final class ReplicaTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Options that name input files or folders: Hadoop URIs among them are fetched to the task first. */
    static final List<String> INPUTS = List.of("--data", "--val", "--tokenizer", "--init", "--model", "--config");

    private final List<String> command;     // train|finetune and its options, --out not among them
    private final SharedRun shared;
    private final long timeoutMillis;
    private final Faults faults;
    private final int attempt;
    private final long bucketBytes;

    ReplicaTask(List<String> command, SharedRun shared, Duration timeout, long bucketBytes, Faults faults, int attempt) {
        this.bucketBytes = bucketBytes;
        this.command = List.copyOf(command);
        this.shared = shared;
        this.timeoutMillis = timeout.toMillis();
        this.faults = faults;
        this.attempt = attempt;
    }

    @Override
    public Iterator<String> apply(Iterator<Integer> ignored) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        BarrierTaskInfo[] tasks = ctx.getTaskInfos();
        int rank = ctx.partitionId(), n = tasks.length;
        try {
            return CollectionConverters.asScala(List.of(run(ctx, rank, n, tasks[rank].address())).iterator());
        } catch (IOException | RuntimeException e) {
            String why = "replica " + rank + " of " + n + ": " + DataParallelJob.rootMessage(e);
            try {
                shared.noteFailure(attempt, rank, why);
            } catch (IOException | RuntimeException unwritable) {
                e.addSuppressed(unwritable);
            }
            throw new IllegalStateException(why, e);
        }
    }

    private String run(BarrierTaskContext ctx, int rank, int n, String taskAddress) throws IOException {
        Duration timeout = Duration.ofMillis(timeoutMillis);
        // every interface, published under the executor's address as Spark knows it (a host name may resolve to loopback)
        RingListener listener = RingListener.open(new InetSocketAddress(0).getAddress(), InetAddress.getByName(host(taskAddress)));
        Ring joined;
        try {
            String[] published = ctx.allGather(RingListener.format(listener.address()));     // by partition id: rank order
            List<InetSocketAddress> members = new ArrayList<>();
            for (String a : published) members.add(RingListener.parse(a));
            joined = n == 1 ? singleClosing(listener) : Ring.join(rank, members, listener, timeout);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        Path local = null;
        try (Ring ring = joined) {
            local = Files.createTempDirectory("cpo4j-replica-" + rank + "-");
            Path runDir = local.resolve("run");
            List<String> args = new ArrayList<>(command);
            Map<String, String> renames = new LinkedHashMap<>();          // local path → what the user gave, for the published files
            renames.put(runDir.toString(), shared.uri());
            for (int i = 1; i + 1 < args.size(); i++) {
                if (!INPUTS.contains(args.get(i))) continue;
                String given = args.get(i + 1), fetched = shared.localInput(given, local.resolve("inputs"));
                if (!fetched.equals(given)) renames.put(fetched, given);
                args.set(i + 1, fetched);
            }
            boolean resume = shared.fetchInto(runDir).isPresent();
            if (resume) localize(runDir.resolve("config.json"), renames);
            args.add("--out");
            args.add(runDir.toString());
            if (resume) args.add("--resume");
            RingReplica replica = new RingReplica(ring, bucketBytes, faults.hook(attempt), rank == 0 ? cp -> shared.publishCheckpoint(runDir, cp, renames) : cp -> { });
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            PrintStream out = rank == 0 ? new PrintStream(new Renaming(System.out, renames), true, StandardCharsets.UTF_8)
                    : new PrintStream(OutputStream.nullOutputStream());
            PrintStream err = new PrintStream(new Tee(errBytes, System.err), true, StandardCharsets.UTF_8);
            int code;
            try {
                code = Main.runReplica(args, out, err, replica);
            } finally {
                replica.close();
            }
            out.flush();
            if (code != 0) {
                String said = errBytes.toString(StandardCharsets.UTF_8).strip();
                throw new IllegalStateException("replica " + rank + " of " + n + " exited with " + code + ": " + said.substring(said.lastIndexOf('\n') + 1));
            }
            if (rank == 0) shared.publishFinal(runDir, renames);
            return String.format(java.util.Locale.ROOT, "rank %d hash %016x comm_seconds %.3f", rank, replica.lastHash(), replica.commSeconds());
        } finally {
            if (local != null) deleteTree(local);
        }
    }

    /**
     * The fetched config.json with the inputs' URIs back to this task's copies, so that resuming
     * finds the recorded data files where it reads them now (their bytes and hashes are checked).
     */
    private static void localize(Path config, Map<String, String> renames) throws IOException {
        if (!Files.isRegularFile(config)) return;
        String text = Files.readString(config);
        for (Map.Entry<String, String> r : renames.entrySet()) {
            if (r.getValue().contains("://")) text = text.replace(r.getValue(), r.getKey());
        }
        Files.writeString(config, text);
    }

    private static Ring singleClosing(RingListener listener) throws IOException {
        listener.close();
        return Ring.single();
    }

    /** The host of a {@code host:port} task address (Spark's {@code BarrierTaskInfo.address()}). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        String h = colon < 0 ? address : address.substring(0, colon);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException ignored) {
            // a temporary folder left behind
        }
    }

    /** Passes lines on with the task's local paths renamed to what the user gave. */
    private static final class Renaming extends OutputStream {
        private final PrintStream to;
        private final Map<String, String> renames;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Renaming(PrintStream to, Map<String, String> renames) {
            this.to = to;
            this.renames = renames;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') flush();
        }

        @Override
        public void flush() {
            if (line.size() == 0) return;
            String text = line.toString(StandardCharsets.UTF_8);
            for (Map.Entry<String, String> r : renames.entrySet()) text = text.replace(r.getKey(), r.getValue());
            to.print(text);
            to.flush();
            line.reset();
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a, b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
