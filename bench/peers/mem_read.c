// Native read bandwidth: the rate at which this machine's cores stream memory they only read,
// as batch-1 decoding streams its weights. A 256 MiB float array (far beyond the caches), split
// into one contiguous part per OpenMP thread, each summed with four 64-byte vector accumulators
// (GCC vector extensions: AVX-512, AVX2 or SSE as -march=native allows).
// build: gcc -O3 -march=native -fopenmp mem_read.c -o mem_read
// run:   OMP_NUM_THREADS=2 ./mem_read [repeats]   ->  one line: read_GBps best=… median=… threads=…
//        OMP_NUM_THREADS=2 ./mem_read --serve       ->  "ready …", then for each order line
//          "read K" (K passes) the answer "ok GBPS" (bytes of the K passes / their time), until "quit"
//        (the bench's in-turns decoding benchmark; run it with OMP_WAIT_POLICY=PASSIVE so that its
//        threads sleep, not spin, while the other side takes its turn)
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef float v16 __attribute__((vector_size(64)));

#define FLOATS (64L << 20)

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/** One pass over a: every float read once, split into one contiguous part per thread. */
static float read_once(const float *a) {
    float total = 0;
    #pragma omp parallel reduction(+:total)
    {
        int n = omp_get_num_threads(), id = omp_get_thread_num();
        long from = FLOATS / 64 * id / n * 64, to = FLOATS / 64 * (id + 1) / n * 64;
        v16 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        for (long i = from; i < to; i += 64) {
            s0 += *(const v16 *) (a + i);
            s1 += *(const v16 *) (a + i + 16);
            s2 += *(const v16 *) (a + i + 32);
            s3 += *(const v16 *) (a + i + 48);
        }
        v16 s = (s0 + s1) + (s2 + s3);
        for (int k = 0; k < 16; k++) total += s[k];
    }
    return total;
}

static int serve(const float *a) {
    printf("ready mem_read threads=%d floats=%ld\n", omp_get_max_threads(), FLOATS);
    fflush(stdout);
    char line[256];
    volatile float sink = 0;
    while (fgets(line, sizeof line, stdin)) {
        int passes;
        if (strncmp(line, "quit", 4) == 0) return 0;
        if (sscanf(line, "read %d", &passes) != 1 || passes < 1 || passes > 10000) {
            printf("error expected \"read K\" (1 <= K <= 10000) or \"quit\", got: %s", line);
        } else {
            double t = omp_get_wtime();
            for (int p = 0; p < passes; p++) sink += read_once(a);
            printf("ok %.4f\n", passes * FLOATS * 4.0 / (omp_get_wtime() - t) / 1e9);
        }
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    int serving = argc > 1 && strcmp(argv[1], "--serve") == 0;
    int repeats = argc > 1 && !serving ? atoi(argv[1]) : 15;
    if (repeats < 1 || repeats > 1000) { fprintf(stderr, "repeats must be 1..1000\n"); return 2; }
    float *a = aligned_alloc(64, FLOATS * sizeof(float));
    if (!a) { fprintf(stderr, "cannot allocate %ld MiB\n", FLOATS * 4 >> 20); return 1; }
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < FLOATS; i++) a[i] = (float) (i & 1023);   // first touch by the thread that reads it later
    if (serving) {
        int rc = serve(a);
        free(a);
        return rc;
    }
    double *rate = malloc(repeats * sizeof(double));
    volatile float sink = 0;
    for (int r = 0; r < repeats; r++) {
        double t = omp_get_wtime();
        float total = read_once(a);
        sink += total;
        rate[r] = FLOATS * 4.0 / (omp_get_wtime() - t) / 1e9;
    }
    qsort(rate, repeats, sizeof(double), by_value);
    printf("read_GBps best=%.2f median=%.2f threads=%d\n", rate[repeats - 1], rate[repeats / 2], omp_get_max_threads());
    free(rate);
    free(a);
    return 0;
}
