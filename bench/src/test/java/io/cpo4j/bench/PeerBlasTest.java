package io.cpo4j.bench;

import io.cpo4j.engine.io.FormatException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decision on a peer's BLAS, fed with what {@code bench/peers/blas_probe.py} printed on this
 * machine (Debian 12, numpy 1.24, torch 1.13): with OpenBLAS selected, and with the reference BLAS
 * ({@code libblas3}, {@code liblapack3}) put first by LD_LIBRARY_PATH, as update-alternatives would.
 * The other cases are written from threadpoolctl's source (3.1): it reports nothing for files named
 * libblas* on Linux and has no netlib controller.
 */
class PeerBlasTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = PeerBlasTest.class.getResourceAsStream("blas/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void numpyOnDebianOpenBlasIsOptimisedAndNamed() throws IOException {
        PeerBlas.Verdict v = PeerBlas.judge(fixture("numpy-openblas.json"), "numpy-openblas.json");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.OPTIMISED);
        assertThat(v.description()).isEqualTo("numpy 1.24.2: OpenBLAS 0.3.21 (pthreads, SkylakeX, 2 threads) "
                + "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so (sgemm from /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3)");
    }

    @Test
    void torchOnDebianOpenBlasIsOptimised() throws IOException {
        PeerBlas.Verdict v = PeerBlas.judge(fixture("torch-openblas.json"), "torch-openblas.json");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.OPTIMISED);
        assertThat(v.description()).startsWith("torch 1.13.0a0: OpenBLAS 0.3.21");
    }

    @Test
    void referenceBlasStopsNumpyAndTorch() throws IOException {
        for (String name : List.of("numpy-reference.json", "torch-reference.json")) {
            PeerBlas.Verdict v = PeerBlas.judge(fixture(name), name);
            assertThat(v.status()).as(name).isEqualTo(PeerBlas.Status.STOP);
            assertThat(v.problem()).as(name).contains("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0").contains("threadpoolctl finds no BLAS");
        }
    }

    /** Only libblas.so.3 switched: threadpoolctl still sees OpenBLAS (loaded by liblapack.so.3), but sgemm runs the reference code. */
    @Test
    void referenceSgemmStopsEvenWhenThreadpoolctlSeesOpenBlas() throws IOException {
        PeerBlas.Verdict v = PeerBlas.judge(fixture("numpy-reference-blas-openblas-lapack.json"), "mixed");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.STOP);
        assertThat(v.problem()).contains("cblas_sgemm from /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0").contains("threadpoolctl finds OpenBLAS 0.3.21");
    }

    /** A flat lib folder (conda): the reference libblas beside a loaded OpenBLAS does not rest on it, so it does not pass. */
    @Test
    void referenceSgemmBesideOpenBlasInOneFolderStops() throws FormatException {
        String flat = "{\"library\": \"numpy\", \"version\": \"1.26.4\", \"threadpool\": [{\"user_api\": \"blas\", \"internal_api\": \"openblas\","
                + " \"filepath\": \"/opt/conda/lib/libopenblasp-r0.3.25.so\", \"version\": \"0.3.25\", \"num_threads\": 2}],"
                + " \"sgemm\": {\"cblas_sgemm\": \"/opt/conda/lib/libblas.so.3.9.0\"}, \"sgemm_backend\": {\"/opt/conda/lib/libblas.so.3.9.0\": null}}";
        PeerBlas.Verdict v = PeerBlas.judge(flat, "flat");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.STOP);
        assertThat(v.problem()).contains("cblas_sgemm from /opt/conda/lib/libblas.so.3.9.0");
        // the same file resting on that OpenBLAS (a wrapper, as Debian's) passes
        PeerBlas.Verdict wrapper = PeerBlas.judge(flat.replace("\"/opt/conda/lib/libblas.so.3.9.0\": null", "\"/opt/conda/lib/libblas.so.3.9.0\": \"/opt/conda/lib/libopenblasp-r0.3.25.so\""), "wrapper");
        assertThat(wrapper.status()).isEqualTo(PeerBlas.Status.OPTIMISED);
    }

    @Test
    void noBlasDetectedStops() throws FormatException {
        PeerBlas.Verdict v = PeerBlas.judge("{\"library\": \"numpy\", \"version\": \"1.26.4\", \"threadpool\": [], \"sgemm\": {}}", "none");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.STOP);
        assertThat(v.problem()).contains("no optimised BLAS").contains("finds no BLAS at all");
    }

    @Test
    void onlyAnUnknownBlasStops() throws FormatException {
        String flexi = "{\"library\": \"numpy\", \"version\": \"2.0\", \"threadpool\": [{\"user_api\": \"blas\", \"internal_api\": \"flexiblas\","
                + " \"filepath\": \"/usr/lib/libflexiblas.so.3\", \"version\": \"3.4\", \"num_threads\": 1}], \"sgemm\": {}}";
        PeerBlas.Verdict v = PeerBlas.judge(flexi, "flexiblas");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.STOP);
        assertThat(v.problem()).contains("finds only flexiblas 3.4");
    }

    @Test
    void missingThreadpoolctlStopsWithItsInstallCommand() throws FormatException {
        PeerBlas.Verdict v = PeerBlas.judge("{\"library\": \"numpy\", \"version\": \"1.24.2\", \"threadpool\": null, \"sgemm\": {}}", "no-tpc");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.STOP);
        assertThat(v.problem()).contains("apt-get install python3-threadpoolctl");
    }

    /** A pip wheel links its own OpenBLAS (no libblas.so.3): threadpoolctl alone decides. */
    @Test
    void wheelWithBundledOpenBlasIsOptimised() throws FormatException {
        String wheel = "{\"library\": \"numpy\", \"version\": \"2.1.0\", \"threadpool\": [{\"user_api\": \"blas\", \"internal_api\": \"openblas\","
                + " \"prefix\": \"libscipy_openblas\", \"filepath\": \"/venv/numpy.libs/libscipy_openblas64_-ff651d7f.so\", \"version\": \"0.3.27\","
                + " \"threading_layer\": \"pthreads\", \"architecture\": \"Haswell\", \"num_threads\": 4}], \"sgemm\": {}}";
        PeerBlas.Verdict v = PeerBlas.judge(wheel, "wheel");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.OPTIMISED);
        assertThat(v.description()).isEqualTo("numpy 2.1.0: OpenBLAS 0.3.27 (pthreads, Haswell, 4 threads) /venv/numpy.libs/libscipy_openblas64_-ff651d7f.so");
    }

    /** torch wheels link MKL statically: threadpoolctl sees only OpenMP, torch's build settings say MKL. */
    @Test
    void torchWithMklLinkedInIsOptimisedOnlyWhenTorchSaysSo() throws FormatException {
        String omp = "[{\"user_api\": \"openmp\", \"internal_api\": \"openmp\", \"filepath\": \"/venv/torch/lib/libgomp.so.1\", \"version\": null, \"num_threads\": 2}]";
        String mkl = "{\"library\": \"torch\", \"version\": \"2.5.1\", \"threadpool\": " + omp + ", \"sgemm\": {},"
                + " \"torch_config\": \"  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release\", \"torch_mkl\": true}";
        assertThat(PeerBlas.judge(mkl, "mkl").status()).isEqualTo(PeerBlas.Status.OPTIMISED);
        String generic = mkl.replace("BLAS_INFO=mkl", "BLAS_INFO=generic").replace("\"torch_mkl\": true", "\"torch_mkl\": false");
        assertThat(PeerBlas.judge(generic, "generic").status()).isEqualTo(PeerBlas.Status.STOP);
    }

    @Test
    void missingLibraryIsAbsentNotAStop() throws FormatException {
        PeerBlas.Verdict v = PeerBlas.judge("{\"library\": \"torch\", \"python\": \"3.11.2\", \"version\": null, "
                + "\"error\": \"ModuleNotFoundError: No module named 'torch'\"}", "absent");
        assertThat(v.status()).isEqualTo(PeerBlas.Status.ABSENT);
    }

    @Test
    void stopMessageNamesTheProblemAndTheInstallCommand() throws IOException {
        PeerBlas.Verdict ok = PeerBlas.judge(fixture("numpy-openblas.json"), "ok");
        PeerBlas.Verdict bad = PeerBlas.judge(fixture("torch-reference.json"), "bad");
        String message = PeerBlas.stopMessage(List.of(ok, bad));
        assertThat(message).contains("torch 1.13.0a0 runs").contains("apt-get install libopenblas0-pthread").doesNotContain("numpy 1.24.2");
        assertThat(message.lines().count()).isEqualTo(1);
    }

    @Test
    void garbageIsAFormatErrorNamingTheSource() {
        assertThatThrownBy(() -> PeerBlas.judge("Traceback (most recent call last):", "probe numpy"))
                .isInstanceOf(FormatException.class).hasMessageStartingWith("probe numpy");
    }
}
