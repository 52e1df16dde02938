package io.cpo4j.cli;

import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One process owns an output folder: {@code DIR/.cpo4j.lock} holds one JSON line naming the holder
 * ({@code {"pid":…,"host":…,"since":…,"command":…}}) and carries an OS file lock for as long as the
 * holder lives. The OS lock is what excludes (it is freed by the kernel when the process dies, even
 * on SIGKILL); the content is what the refusal names. A lock file whose OS lock is free was left by a
 * dead process and is taken over with a note — unless it names a live pid on this host or another
 * host, where a free OS lock may only mean a file system without locks, so it is refused.
 *
 * <p>On POSIX systems the OS lock is the process's {@code fcntl} lock, which the kernel drops when the
 * process closes <em>any</em> descriptor of the file. So while it holds the lock, this class opens the
 * file only through channels it keeps open until {@link #close()}; nothing else in the process may
 * open it.
 */
final class RunLock implements AutoCloseable {

    static final String FILE = ".cpo4j.lock";

    /** Refused: another process holds the folder. */
    static final class HeldException extends Exception {
        HeldException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    /** Descriptors opened to look at the path while locked: closing one would drop the lock, so they close last. */
    private final List<FileChannel> probes;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean closed;

    private RunLock(Path file, FileChannel channel, FileLock lock, List<FileChannel> probes, Duration waitOnExit, String onExitTimeout, PrintStream err) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.probes = probes;
        // Ctrl-C: the main thread keeps running while shutdown hooks run. Give it time to finish what
        // it writes (a checkpoint, the model, the report) and release the folder; then release it here.
        this.hook = new Thread(() -> {
            try {
                if (!released.await(waitOnExit.toMillis(), TimeUnit.MILLISECONDS) && onExitTimeout != null) err.println(onExitTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release();
        }, "cpo4j-release-lock");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting; the kernel frees the OS lock with the process
        }
    }

    /**
     * Takes {@code dir} (which must exist) for {@code command}; notes a taken-over stale lock on
     * {@code err}. On Ctrl-C the lock waits up to {@code waitOnExit} for {@link #close()}, then prints
     * {@code onExitTimeout} (if not null) and lets go.
     */
    static RunLock acquire(Path dir, String command, PrintStream err, Duration waitOnExit, String onExitTimeout) throws IOException, HeldException {
        Path file = dir.resolve(FILE);
        for (int attempt = 0; ; attempt++) {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = read(ch);
                // the holder writes its line right after it locks: give it a moment, to name it
                for (int i = 0; i < 200 && holder.isBlank(); i++) {
                    sleep(10);
                    holder = read(ch);
                }
                ch.close();
                throw new HeldException(dir + " is in use by " + describe(holder) + "; wait for it to end or choose another --out");
            }
            List<FileChannel> probes = new ArrayList<>();
            String previous = read(ch);
            // A holder that just ended deletes the file, then unlocks it: if that is what we locked,
            // the path names another file now (or none) and the line we read is an ended run's.
            if (!previous.isBlank() && !previous.equals(readPath(file, probes))) {
                letGo(ch, probes);
                if (attempt < 10) continue;
                throw new IOException("could not take " + file + ": it keeps being replaced");
            }
            Map<String, Object> me = identity(command);
            if (!previous.isBlank()) {
                String refusal = refuseTakeover(previous, me, file);
                if (refusal != null) {
                    letGo(ch, probes);
                    throw new HeldException(dir + " is in use by " + describe(previous) + refusal);
                }
            }
            String line = Json.write(me) + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            // The holder before us may have deleted the file between our open and our lock: then we
            // locked an orphan. Only the file the path names now counts.
            if (!line.equals(readPath(file, probes))) {
                letGo(ch, probes);
                if (attempt < 10) continue;
                throw new IOException("could not take " + file + ": it keeps being replaced");
            }
            if (!previous.isBlank()) {
                err.println(command + ": note: took over " + file + " left by " + describe(previous) + ", which is no longer running");
            }
            return new RunLock(file, ch, lock, probes, waitOnExit, onExitTimeout, err);
        }
    }

    /** Closes the probes, then the locked channel (which frees the OS lock in any case). */
    private static void letGo(FileChannel locked, List<FileChannel> probes) throws IOException {
        for (FileChannel probe : probes) probe.close();
        locked.close();
    }

    /** Why a free OS lock is still not taken over, or null to take it over. */
    private static String refuseTakeover(String previous, Map<String, Object> me, Path file) {
        Map<String, Object> old;
        try {
            old = Json.parseObject(previous.strip(), file.toString());
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
        if (!(old.get("pid") instanceof Number pid)) return null;
        if (!me.get("host").equals(old.get("host"))) {
            return " (on another host, which this machine cannot check); if that run has ended, delete " + file;
        }
        boolean alive = pid.longValue() != ProcessHandle.current().pid() && ProcessHandle.of(pid.longValue()).map(ProcessHandle::isAlive).orElse(false);
        return alive ? " (still running, though the folder's OS lock is free); if that process is not cpo4j, delete " + file : null;
    }

    private static Map<String, Object> identity(String command) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", ProcessHandle.current().pid());
        m.put("host", host());
        m.put("since", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("command", command);
        return m;
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    /** "pid 123 on host h (train, since 2026-…Z)", from a lock file's content. */
    static String describe(String content) {
        if (content.isBlank()) return "another process, which is just taking it";
        try {
            Map<String, Object> m = Json.parseObject(content.strip(), FILE);
            return "pid " + m.get("pid") + " on host " + m.get("host") + " (" + m.get("command") + ", since " + m.get("since") + ")";
        } catch (IOException | RuntimeException e) {
            return "another process (its lock file says '" + content.strip().replaceAll("\\s+", " ") + "')";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) { }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    /**
     * What the path names now, read through a new descriptor that joins {@code probes} (it must stay
     * open while the lock is held: closing it would drop the lock); "" if the path names nothing.
     */
    private static String readPath(Path file, List<FileChannel> probes) throws IOException {
        FileChannel probe;
        try {
            probe = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException gone) {
            return "";
        }
        probes.add(probe);
        return read(probe);
    }

    /** Lets the folder go: the lock file is deleted while still locked, so no one takes a file about to vanish. */
    private synchronized void release() {
        if (closed) return;
        closed = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // left behind, it is taken over as stale by the next run (the OS lock goes with the channel)
        }
        try {
            lock.release();
            letGo(channel, probes);
        } catch (IOException ignored) {
            // closing frees the OS lock in any case
        }
    }

    @Override
    public void close() {
        release();
        released.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNotAdded) {
            // the hook is running (it is waiting on `released`, now counted down) or was never added
        }
    }
}
