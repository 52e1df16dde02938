package io.cpo4j.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files are written to a temporary sibling, flushed to disk, then renamed over the target, so a
 * reader — or a process killed mid-write — sees either the old file or the whole new one.
 */
public final class AtomicFiles {

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, Writer content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // createFile with the default attributes: the permissions of the umask, as any file the user
        // creates (Files.createTempFile would make it owner-only, 0600). Outside the try: a name that
        // is taken is not ours to delete.
        Path tmp = Files.createFile(dir.resolve(tempName(target.getFileName().toString(), ".tmp")));
        try {
            try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new BufferedOutputStream(raw, 1 << 20)) {
                content.write(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A fresh hidden sibling name for a file or folder being written: {@code .NAME.<random>SUFFIX}.
     * Create it with {@code CREATE_NEW} or {@code Files.createDirectory}, which fail rather than reuse
     * a name, and which give the umask's permissions where {@code createTemp*} gives owner-only ones.
     */
    public static String tempName(String name, String suffix) {
        return "." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix;
    }

    /** Flushes a folder's entries (the rename) to disk where the platform allows it; a no-op elsewhere. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can open or sync a directory (Windows); the rename stays atomic
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
