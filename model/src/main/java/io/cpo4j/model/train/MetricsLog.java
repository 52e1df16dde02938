package io.cpo4j.model.train;

import io.cpo4j.engine.io.Json;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, appended and flushed as they come, so that a
 * run killed at any moment leaves every complete line readable. A kill can leave a torn last line;
 * opening the log cuts it off ({@link #cutTornTail}) so that new lines never follow a fragment.
 */
public final class MetricsLog implements Closeable {

    private final BufferedWriter out;

    public MetricsLog(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        cutTornTail(file);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends {@code {"step": step, "kind": kind, ...values}}; non-finite numbers are written as null. */
    public void append(int step, String kind, Map<String, Double> values) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", (long) step);
        line.put("kind", kind);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            line.put(e.getKey(), v == null || !Double.isFinite(v) ? null : v);
        }
        out.write(Json.write(line));
        out.write('\n');
        out.flush();
    }

    /**
     * Truncates {@code file} to its last complete line (the last {@code '\n'}) and returns how many
     * bytes were cut: 0 when the file is missing, empty or ends with a newline.
     */
    public static long cutTornTail(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size(), end = size;
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (end > 0) {
                int n = (int) Math.min(buf.capacity(), end);
                buf.clear().limit(n);
                long from = end - n;
                while (buf.hasRemaining()) if (ch.read(buf, from + buf.position()) < 0) throw new IOException(file + ": shrank while being read");
                int i = n - 1;
                while (i >= 0 && buf.get(i) != '\n') i--;
                if (i >= 0) {
                    end = from + i + 1;
                    break;
                }
                end = from;
            }
            if (end == size) return 0;
            ch.truncate(end);
            ch.force(true);
            return size - end;
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
