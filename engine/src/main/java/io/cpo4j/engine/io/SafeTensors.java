package io.cpo4j.engine.io;

import io.cpo4j.engine.DType;
import io.cpo4j.engine.kernels.HalfFloats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (HuggingFace): an 8-byte little-endian header length, a JSON header
 * ({@code dtype}, {@code shape}, {@code data_offsets} per tensor, optional {@code __metadata__}
 * of strings), then the raw little-endian data.
 *
 * <p>{@link #open} reads and validates the header only — lengths, offsets inside the file and not
 * overlapping, shape × dtype size equal to the byte length, known dtypes, no overflow — and every
 * problem is a {@link FormatException} naming the file and the tensor. Tensor data is read on
 * demand, so a model larger than one Java array can be opened.
 */
public final class SafeTensors {

    /** Element types; the size is in bytes. */
    public enum Dtype {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        public final int size;

        Dtype(int size) {
            this.size = size;
        }

        boolean isFloat() {
            return this == F64 || this == F32 || this == F16 || this == BF16;
        }
    }

    /** One tensor's header entry; {@code begin}/{@code end} are byte offsets into the data region. */
    public record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        public long numel() {
            return (end - begin) / dtype.size;
        }
    }

    /** Largest header accepted (the real ones are kilobytes; this bounds memory on bad input). */
    static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final String source;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.source = file.toString();
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates the header of {@code file}. */
    public static SafeTensors open(Path file) throws IOException {
        String src = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new FormatException(src, "file is " + size + " bytes, too short for a safetensors header");
            ByteBuffer lenBuf = readFully(ch, 0, 8, src);
            long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw new FormatException(src, "header length " + Long.toUnsignedString(headerLen) + " does not fit in a file of " + size + " bytes");
            }
            if (headerLen > MAX_HEADER) throw new FormatException(src, "header length " + headerLen + " exceeds the limit of " + MAX_HEADER + " bytes");
            ByteBuffer hb = readFully(ch, 8, (int) headerLen, src);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb).toString();
            } catch (CharacterCodingException e) {
                throw new FormatException(src, "header is not valid UTF-8");
            }
            Map<String, Object> json = Json.parseObject(header, src + " (header)");
            long dataLen = size - 8 - headerLen;
            return parseHeader(file, json, 8 + headerLen, dataLen);
        }
    }

    private static SafeTensors parseHeader(Path file, Map<String, Object> json, long dataStart, long dataLen) throws FormatException {
        String src = file.toString();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new FormatException(src, "__metadata__ must be an object of strings");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) throw new FormatException(src, "__metadata__ value of \"" + me.getKey() + "\" is not a string");
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            entries.put(name, entry(src, name, e.getValue(), dataLen));
        }
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long cursor = 0;
        for (Entry en : byOffset) {
            if (en.begin < cursor) throw new FormatException(src, "tensor \"" + en.name + "\" overlaps the tensor before it (bytes " + en.begin + ".." + en.end + ")");
            if (en.begin > cursor) throw new FormatException(src, "bytes " + cursor + ".." + en.begin + " of the data belong to no tensor");
            cursor = en.end;
        }
        if (cursor != dataLen) throw new FormatException(src, "the data region has " + dataLen + " bytes but the tensors cover " + cursor);
        return new SafeTensors(file, dataStart, entries, metadata);
    }

    private static Entry entry(String src, String name, Object value, long dataLen) throws FormatException {
        String where = "tensor \"" + name + "\"";
        if (!(value instanceof Map<?, ?> m)) throw new FormatException(src, where + " must be an object with dtype, shape and data_offsets");
        if (!(m.get("dtype") instanceof String ds)) throw new FormatException(src, where + " has no string dtype");
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(ds);
        } catch (IllegalArgumentException ex) {
            throw new FormatException(src, where + " has unknown dtype \"" + ds + "\"");
        }
        if (!(m.get("shape") instanceof List<?> sl)) throw new FormatException(src, where + " has no shape array");
        if (sl.size() > 16) throw new FormatException(src, where + " has rank " + sl.size() + " (more than 16 dimensions)");
        int[] shape = new int[sl.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new FormatException(src, where + " has an invalid dimension " + sl.get(i) + " in its shape");
            }
            shape[i] = (int) (long) d;
            try {
                numel = Math.multiplyExact(numel, d);
                Math.multiplyExact(numel, (long) dtype.size);
            } catch (ArithmeticException ex) {
                throw new FormatException(src, where + " has a shape " + sl + " whose size overflows");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2 || !(ol.get(0) instanceof Long b) || !(ol.get(1) instanceof Long en)) {
            throw new FormatException(src, where + " needs data_offsets [begin, end] as two integers");
        }
        if (b < 0 || en < b || en > dataLen) {
            throw new FormatException(src, where + " has data_offsets [" + b + ", " + en + "] outside the " + dataLen + "-byte data region");
        }
        if (en - b != numel * dtype.size) {
            throw new FormatException(src, where + ": shape " + sl + " × " + dtype + " is " + numel * dtype.size + " bytes but data_offsets span " + (en - b));
        }
        for (Object k : m.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new FormatException(src, where + " has unknown field \"" + k + "\"");
            }
        }
        return new Entry(name, dtype, shape, b, en);
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int len, String src) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new FormatException(src, "unexpected end of file at byte " + (pos + buf.position()));
        }
        buf.flip();
        return buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The header entry of {@code name}; an error names the file and lists nothing else (use {@link #names}). */
    public Entry entry(String name) throws FormatException {
        Entry e = entries.get(name);
        if (e == null) throw new FormatException(source, "no tensor named \"" + name + "\"");
        return e;
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** A floating tensor (F32, F16, BF16 or F64) as float32 values, row-major. */
    public float[] floats(String name) throws IOException {
        Entry e = entry(name);
        if (!e.dtype.isFloat()) throw new FormatException(source, "tensor \"" + name + "\" is " + e.dtype + ", not a floating type");
        if (e.numel() > Integer.MAX_VALUE - 16) throw new FormatException(source, "tensor \"" + name + "\" has more than 2^31 elements");
        float[] out = new float[(int) e.numel()];
        readFloats(e, out, 0);
        return out;
    }

    /** Reads a floating tensor into {@code out[off ..]} (for example straight into a flat parameter buffer). */
    public void readFloats(Entry e, float[] out, int off) throws IOException {
        if ((long) off + e.numel() > out.length) throw new IllegalArgumentException("destination too small for \"" + e.name + "\"");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = dataStart + e.begin;
            long remaining = e.numel();
            int chunk = 1 << 20;
            int o = off;
            while (remaining > 0) {
                int n = (int) Math.min(chunk, remaining);
                ByteBuffer buf = readFully(ch, pos, n * e.dtype.size, source);
                decode(e, buf, out, o, n);
                pos += (long) n * e.dtype.size;
                o += n;
                remaining -= n;
            }
        }
    }

    /** n values of floating tensor e from buf (little-endian, in e's dtype) into out[o ..] as float32. */
    private void decode(Entry e, ByteBuffer buf, float[] out, int o, int n) throws FormatException {
        switch (e.dtype) {
            case F32 -> buf.asFloatBuffer().get(out, o, n);
            case F64 -> { for (int i = 0; i < n; i++) out[o + i] = (float) buf.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[o + i] = Float.float16ToFloat(buf.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[o + i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xFFFF) << 16); }
            default -> throw new FormatException(source, "tensor \"" + e.name + "\" is " + e.dtype + ", not a floating type");
        }
    }

    /**
     * Reads a floating tensor into half-precision bits {@code out[off ..]} of {@code target} (BF16 or
     * F16), without a float32 copy of the tensor: bits stored in the target format are copied as
     * they are; other formats are rounded to nearest even, a chunk at a time (a frozen base held in
     * half precision, see {@link io.cpo4j.engine.nn.FrozenWeights}).
     */
    public void readHalf(Entry e, DType target, short[] out, int off) throws IOException {
        if (!target.isHalf()) throw new IllegalArgumentException("readHalf: target must be BF16 or F16, got " + target);
        if (!e.dtype.isFloat()) throw new FormatException(source, "tensor \"" + e.name + "\" is " + e.dtype + ", not a floating type");
        if ((long) off + e.numel() > out.length) throw new IllegalArgumentException("destination too small for \"" + e.name + "\"");
        boolean same = (e.dtype == Dtype.BF16 && target == DType.BF16) || (e.dtype == Dtype.F16 && target == DType.F16);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = dataStart + e.begin;
            long remaining = e.numel();
            int chunk = 1 << 20;
            float[] floats = same ? null : new float[(int) Math.min(chunk, remaining)];
            int o = off;
            while (remaining > 0) {
                int n = (int) Math.min(chunk, remaining);
                ByteBuffer buf = readFully(ch, pos, n * e.dtype.size, source);
                if (same) {
                    buf.asShortBuffer().get(out, o, n);
                } else {
                    decode(e, buf, floats, 0, n);
                    HalfFloats.narrow(floats, 0, out, o, n, target == DType.BF16);
                }
                pos += (long) n * e.dtype.size;
                o += n;
                remaining -= n;
            }
        }
    }

    /** An integer tensor (I64, I32, I16, I8, U8, BOOL) as longs. */
    public long[] longs(String name) throws IOException {
        Entry e = entry(name);
        if (e.dtype.isFloat()) throw new FormatException(source, "tensor \"" + name + "\" is " + e.dtype + ", not an integer type");
        if (e.numel() > Integer.MAX_VALUE - 16) throw new FormatException(source, "tensor \"" + name + "\" has more than 2^31 elements");
        int n = (int) e.numel();
        long[] out = new long[n];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = readFully(ch, dataStart + e.begin, n * e.dtype.size, source);
            for (int i = 0; i < n; i++) {
                out[i] = switch (e.dtype) {
                    case I64 -> buf.getLong(i * 8);
                    case I32 -> buf.getInt(i * 4);
                    case I16 -> buf.getShort(i * 2);
                    case I8 -> buf.get(i);
                    case U8, BOOL -> buf.get(i) & 0xFF;
                    default -> throw new IllegalStateException();
                };
            }
        }
        return out;
    }

    /** An integer tensor as ints; values outside the int range are an error. */
    public int[] ints(String name) throws IOException {
        long[] l = longs(name);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != (int) l[i]) throw new FormatException(source, "tensor \"" + name + "\" element " + i + " = " + l[i] + " does not fit an int");
            out[i] = (int) l[i];
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    /** A tensor to write: float32 values from {@code data[offset ..]}, or int64 values. */
    public record Item(String name, int[] shape, float[] floats, int offset, long[] longs) {
        public static Item f32(String name, int[] shape, float[] data, int offset) {
            return new Item(name, shape.clone(), data, offset, null);
        }

        public static Item f32(String name, int[] shape, float[] data) {
            return f32(name, shape, data, 0);
        }

        public static Item i64(String name, int[] shape, long[] data) {
            return new Item(name, shape.clone(), null, 0, data);
        }

        long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        long bytes() {
            return numel() * (floats != null ? 4 : 8);
        }
    }

    /** Writes the items in order (atomically: temp file, then rename). */
    public static void write(Path file, List<Item> items, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Item it : items) {
            if (header.containsKey(it.name)) throw new IllegalArgumentException("safetensors: duplicate tensor name \"" + it.name + "\"");
            long available = it.floats != null ? it.floats.length - (long) it.offset : it.longs.length;
            if (available < it.numel()) throw new IllegalArgumentException("safetensors: \"" + it.name + "\" has fewer values than its shape needs");
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", it.floats != null ? "F32" : "I64");
            e.put("shape", it.shape);
            e.put("data_offsets", new long[] {offset, offset + it.bytes()});
            header.put(it.name, e);
            offset += it.bytes();
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) out.write(' ');
            for (Item it : items) writeData(out, it);
        });
    }

    private static void writeData(OutputStream out, Item it) throws IOException {
        long n = it.numel();
        int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long start = 0; start < n; start += chunk) {
            int m = (int) Math.min(chunk, n - start);
            buf.clear();
            if (it.floats != null) {
                for (int i = 0; i < m; i++) buf.putFloat(it.floats[(int) (it.offset + start + i)]);
            } else {
                for (int i = 0; i < m; i++) buf.putLong(it.longs[(int) (start + i)]);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    @Override
    public String toString() {
        return "SafeTensors[" + source + ", " + entries.size() + " tensors]";
    }
}
