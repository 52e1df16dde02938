package io.cpo4j.engine.ops;

import java.util.Arrays;

/**
 * Double-precision reference implementations of the ops, written plainly and independently of
 * the engine's kernels; the gradient checks differentiate these numerically.
 */
final class Ref {

    private Ref() {}

    /** A row-major double tensor. */
    record D(double[] v, int[] shape) {
        int size() {
            return v.length;
        }

        int last() {
            return shape[shape.length - 1];
        }
    }

    static int numel(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Element of x at the broadcast position of out-index {@code idx}. */
    static double at(D x, int[] idx) {
        int off = 0, rank = idx.length;
        for (int i = 0; i < x.shape.length; i++) {
            int o = i + rank - x.shape.length;
            int j = x.shape[i] == 1 ? 0 : idx[o];
            off = off * x.shape[i] + j;
        }
        return x.v[off];
    }

    interface Bin {
        double apply(double a, double b);
    }

    static D binary(D a, D b, Bin f) {
        int[] s = broadcastShape(a.shape, b.shape);
        double[] out = new double[numel(s)];
        int[] idx = new int[s.length];
        for (int i = 0; i < out.length; i++) {
            int r = i;
            for (int d = s.length - 1; d >= 0; d--) {
                idx[d] = r % s[d];
                r /= s[d];
            }
            out[i] = f.apply(at(a, idx), at(b, idx));
        }
        return new D(out, s);
    }

    /** (.., M, K) · (.., K, N), either side may be a plain matrix shared over the batch. */
    static D matmul(D a, D b) {
        int m = a.shape[a.shape.length - 2], k = a.last(), n = b.last();
        int batchA = a.size() / (m * k), batchB = b.size() / (k * n);
        int batch = Math.max(batchA, batchB);
        int[] batchShape = batchA >= batchB ? Arrays.copyOf(a.shape, a.shape.length - 2) : Arrays.copyOf(b.shape, b.shape.length - 2);
        double[] out = new double[batch * m * n];
        for (int z = 0; z < batch; z++) {
            int ao = batchA == 1 ? 0 : z * m * k, bo = batchB == 1 ? 0 : z * k * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a.v[ao + i * k + p] * b.v[bo + p * n + j];
                    out[z * m * n + i * n + j] = s;
                }
        }
        int[] shape = Arrays.copyOf(batchShape, batchShape.length + 2);
        shape[shape.length - 2] = m;
        shape[shape.length - 1] = n;
        return new D(out, shape);
    }

    /** Swap of the last two dimensions. */
    static D transpose(D x) {
        int r = x.shape[x.shape.length - 2], c = x.last(), batch = x.size() / (r * c);
        double[] out = new double[x.size()];
        for (int z = 0; z < batch; z++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++) out[z * r * c + j * r + i] = x.v[z * r * c + i * c + j];
        int[] s = x.shape.clone();
        s[s.length - 2] = c;
        s[s.length - 1] = r;
        return new D(out, s);
    }

    static D linear(D x, D w, D b) {
        int in = x.last(), outF = w.shape[0], rows = x.size() / in;
        double[] y = new double[rows * outF];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++) {
                double s = b == null ? 0 : b.v[o];
                for (int i = 0; i < in; i++) s += x.v[r * in + i] * w.v[o * in + i];
                y[r * outF + o] = s;
            }
        int[] shape = x.shape.clone();
        shape[shape.length - 1] = outF;
        return new D(y, shape);
    }

    static D sum(D x, int dim, boolean keep, boolean mean) {
        int outer = 1, inner = 1, size = x.shape[dim];
        for (int i = 0; i < dim; i++) outer *= x.shape[i];
        for (int i = dim + 1; i < x.shape.length; i++) inner *= x.shape[i];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int d = 0; d < size; d++)
                for (int i = 0; i < inner; i++) out[o * inner + i] += x.v[(o * size + d) * inner + i] / (mean ? size : 1);
        int[] s;
        if (keep) {
            s = x.shape.clone();
            s[dim] = 1;
        } else {
            s = new int[x.shape.length - 1];
            for (int i = 0, j = 0; i < x.shape.length; i++) if (i != dim) s[j++] = x.shape[i];
        }
        return new D(out, s);
    }

    static D layerNorm(D x, D w, D b, double eps) {
        int c = x.last(), rows = x.size() / c;
        double[] out = new double[x.size()];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += x.v[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) var += (x.v[r * c + i] - mean) * (x.v[r * c + i] - mean);
            var /= c;
            double rstd = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < c; i++) out[r * c + i] = (x.v[r * c + i] - mean) * rstd * w.v[i] + b.v[i];
        }
        return new D(out, x.shape);
    }

    static D gelu(D x) {
        double[] out = new double[x.size()];
        double k = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < out.length; i++) {
            double v = x.v[i];
            out[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
        }
        return new D(out, x.shape);
    }

    static D softmax(D x, boolean log) {
        int c = x.last(), rows = x.size() / c;
        double[] out = new double[x.size()];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < c; i++) max = Math.max(max, x.v[r * c + i]);
            for (int i = 0; i < c; i++) sum += Math.exp(x.v[r * c + i] - max);
            for (int i = 0; i < c; i++) {
                double z = x.v[r * c + i] - max - Math.log(sum);
                out[r * c + i] = log ? z : Math.exp(z);
            }
        }
        return new D(out, x.shape);
    }

    /** qkv (B, T, 3C) → (B, T, C), causal, scale 1/√(C/heads). */
    static D attention(D qkv, int heads) {
        int b = qkv.shape[0], t = qkv.shape[1], c = qkv.shape[2] / 3, d = c / heads;
        double[] out = new double[b * t * c];
        double scale = 1 / Math.sqrt(d);
        for (int z = 0; z < b; z++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += qkv.v[(z * t + i) * 3 * c + h * d + e] * qkv.v[(z * t + j) * 3 * c + c + h * d + e];
                        s[j] = dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) sum += (s[j] = Math.exp(s[j] - max));
                    for (int j = 0; j <= i; j++)
                        for (int e = 0; e < d; e++) out[(z * t + i) * c + h * d + e] += s[j] / sum * qkv.v[(z * t + j) * 3 * c + 2 * c + h * d + e];
                }
        return new D(out, new int[] {b, t, c});
    }

    /** Per-row log p(target); NaN marks ignored rows. */
    static double[] logProbs(D logits, int[] targets) {
        D ls = softmax(logits, true);
        int v = logits.last();
        double[] out = new double[targets.length];
        for (int r = 0; r < targets.length; r++) out[r] = targets[r] < 0 ? Double.NaN : ls.v[r * v + targets[r]];
        return out;
    }

    static D crossEntropy(D logits, int[] targets) {
        double[] lp = logProbs(logits, targets);
        double sum = 0;
        int n = 0;
        for (double x : lp) if (!Double.isNaN(x)) { sum -= x; n++; }
        return new D(new double[] {sum / n}, new int[0]);
    }

    static D tokenLogProbs(D logits, int[] targets) {
        double[] lp = logProbs(logits, targets);
        for (int i = 0; i < lp.length; i++) if (Double.isNaN(lp[i])) lp[i] = 0;
        return new D(lp, Arrays.copyOf(logits.shape, logits.shape.length - 1));
    }

    static D embedding(D w, int[] ids, int[] idsShape) {
        int c = w.last();
        double[] out = new double[ids.length * c];
        for (int i = 0; i < ids.length; i++) System.arraycopy(w.v, ids[i] * c, out, i * c, c);
        int[] s = Arrays.copyOf(idsShape, idsShape.length + 1);
        s[idsShape.length] = c;
        return new D(out, s);
    }

    // ---------------------------------------------------------------- Llama (HF semantics)

    static D rmsNorm(D x, D w, double eps) {
        int c = x.last(), rows = x.size() / c;
        double[] out = new double[x.size()];
        for (int r = 0; r < rows; r++) {
            double ms = 0;
            for (int i = 0; i < c; i++) ms += x.v[r * c + i] * x.v[r * c + i];
            double rstd = 1 / Math.sqrt(ms / c + eps);
            for (int i = 0; i < c; i++) out[r * c + i] = x.v[r * c + i] * rstd * w.v[i];
        }
        return new D(out, x.shape);
    }

    /** HF's q·cos + rotate_half(q)·sin, cos and sin expanded to (P, D) as cat(freqs, freqs). */
    static D rotary(D x, int headDim, float[] cos, float[] sin, int[] positions) {
        int b = x.shape[0], t = x.shape[1], width = x.shape[2], half = headDim / 2;
        double[] out = new double[x.size()];
        for (int z = 0; z < b; z++)
            for (int i = 0; i < t; i++)
                for (int h = 0; h < width / headDim; h++) {
                    int o = (z * t + i) * width + h * headDim, p = positions[i];
                    for (int e = 0; e < headDim; e++) {
                        double c = cos[p * half + e % half], s = sin[p * half + e % half];
                        double rotated = e < half ? -x.v[o + e + half] : x.v[o + e - half];
                        out[o + e] = x.v[o + e] * c + rotated * s;
                    }
                }
        return new D(out, x.shape);
    }

    static D swiglu(D gate, D up) {
        double[] out = new double[gate.size()];
        for (int i = 0; i < out.length; i++) out[i] = gate.v[i] / (1 + Math.exp(-gate.v[i])) * up.v[i];
        return new D(out, gate.shape);
    }

    /** q (B, T, H·D), k and v (B, T, KV·D) → (B, T, H·D), causal, query head h on KV head h / (H/KV). */
    static D groupedAttention(D q, D k, D v, int heads, int kvHeads) {
        int b = q.shape[0], t = q.shape[1], d = q.shape[2] / heads, w = heads * d, kw = kvHeads * d, group = heads / kvHeads;
        double[] out = new double[b * t * w];
        double scale = 1 / Math.sqrt(d);
        for (int z = 0; z < b; z++)
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                for (int i = 0; i < t; i++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q.v[(z * t + i) * w + h * d + e] * k.v[(z * t + j) * kw + g * d + e];
                        s[j] = dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) sum += (s[j] = Math.exp(s[j] - max));
                    for (int j = 0; j <= i; j++)
                        for (int e = 0; e < d; e++) out[(z * t + i) * w + h * d + e] += s[j] / sum * v.v[(z * t + j) * kw + g * d + e];
                }
            }
        return new D(out, new int[] {b, t, w});
    }
}
