package io.cpo4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two executor JVMs ({@code local-cluster[2,1,1024]}: a master and two workers in this JVM, each
 * worker launching an executor process): a job that fails after its checkpoint, then a new job that
 * resumes it; the result equals an uninterrupted {@code local[2]} run's bit for bit.
 */
class LocalClusterTest {

    @TempDir
    Path dir;

    @Test
    void twoExecutorProcessesTrainCheckpointAndResume() throws Exception {
        Files.createDirectories(Path.of(System.getenv().getOrDefault("SPARK_HOME", "target/spark-home")).resolve("jars"));
        DataParallelJobTest.makeData(dir);
        Path straight = dir.resolve("straight");
        SparkContext local = DataParallelJobTest.local2();
        try {
            DataParallelJobTest.onSpark(local, DataParallelJobTest.train(6), straight, 2, 0, null);
        } finally {
            local.stop();
        }

        SparkContext cluster = new SparkContext(new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("cpo4j-local-cluster")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector")
                .set("spark.executorEnv.JAVA_HOME", System.getProperty("java.home")));
        Path run = dir.resolve("cluster");
        List<String> replicas = new ArrayList<>();
        try {
            // The first job fails at step 5 (no restarts allowed), after its checkpoint at step 3; a new job resumes it.
            List<String> first = DataParallelJobTest.train(6);
            assertThatThrownBy(() -> DataParallelJobTest.onSpark(cluster, first, run, 2, 0, "throw:0:5")).hasMessageContaining("injected fault");
            assertThat(run.resolve("checkpoints/step-00000003/replicas.json")).isRegularFile();
            assertThat(run.resolve("model")).doesNotExist();
            List<String> resume = DataParallelJobTest.train(6);
            resume.add("--resume");
            replicas.addAll(DataParallelJobTest.onSpark(cluster, resume, run, 2, 0, null).replicas());
        } finally {
            cluster.stop();
        }
        assertThat(replicas).hasSize(2);
        assertThat(DataParallelJobTest.losses(run)).hasSize(6);
        assertThat(Files.readAllBytes(run.resolve("model/model.safetensors"))).as("stopped at 3 and resumed in other processes: the uninterrupted run's bits")
                .isEqualTo(Files.readAllBytes(straight.resolve("model/model.safetensors")));
        assertThat(DataParallelJobTest.losses(run)).isEqualTo(DataParallelJobTest.losses(straight));
    }
}
