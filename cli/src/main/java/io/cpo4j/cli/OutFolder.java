package io.cpo4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks on an {@code --out} folder before anything is written there, so that no command writes
 * into a folder of someone else's files: never into {@code /} or the home folder itself, and into
 * an existing non-empty folder only with {@code --overwrite}.
 */
final class OutFolder {

    private OutFolder() {}

    /** A refusal to run before and again after taking an --out folder. */
    @FunctionalInterface
    interface Check {
        void run() throws IOException;
    }

    /** Refuses {@code /}, the home folder and a file (even with --overwrite). */
    static void requireWritable(Path dir, Options o) {
        Path abs = dir.toAbsolutePath().normalize();
        Path real = abs;
        try {
            if (Files.exists(abs)) real = abs.toRealPath();
        } catch (IOException ignored) {
            // keep the normalized path
        }
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        for (Path p : List.of(abs, real)) {
            if (p.getParent() == null) throw o.usage("--out " + dir + " is the root folder; choose a folder of its own for the output");
            if (p.equals(home)) throw o.usage("--out " + dir + " is the home folder itself; choose a folder of its own for the output");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw o.usage("--out " + dir + " is a file, not a folder");
    }

    /** The names in {@code dir} other than the lock file, sorted (none if it does not exist). */
    static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).filter(n -> !n.equals(RunLock.FILE)).sorted().toList();
        }
    }

    /** "report.html, model/, vocab.json and 4 more". */
    static String list(List<String> names) {
        if (names.size() <= 4) return String.join(", ", names);
        return String.join(", ", names.subList(0, 4)) + " and " + (names.size() - 4) + " more";
    }

    /** Refuses a non-empty {@code dir} unless {@code overwrite}; what the command writes there comes next. */
    static void requireEmptyOrOverwrite(Path dir, boolean overwrite, String writes, Options o) throws IOException {
        List<String> names = entries(dir);
        if (!names.isEmpty() && !overwrite) {
            throw o.usage("--out " + dir + " is not empty (" + list(names) + "); choose a new folder, or add --overwrite to write " + writes + " there");
        }
    }

    /** Deletes the entries of {@code dir} named in {@code names} (files or whole folders), for --overwrite. */
    static void delete(Path dir, Collection<String> names) throws IOException {
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
    }

    /** An output folder this process holds; closing lets it go and removes it if this process made it and left it empty. */
    record Taken(Path dir, RunLock lock, boolean created) implements AutoCloseable {
        @Override
        public void close() {
            lock.close();
            try {
                if (created && entries(dir).isEmpty()) Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // an empty folder left behind is harmless
            }
        }
    }

    /**
     * Takes {@code dir} for {@code command}, which writes {@code writes} there: refuses {@code /}, the
     * home folder, a file, a folder another process holds, and a non-empty folder without
     * {@code overwrite} (usage errors, exit 2, nothing changed); with {@code overwrite} deletes the
     * entries named in {@code replaced} — what the command writes — and leaves any others.
     */
    static Taken take(Path dir, String command, boolean overwrite, String writes, Collection<String> replaced, Options o, PrintStream err) throws IOException {
        requireWritable(dir, o);
        // Refuse before touching anything (even the lock file changes the folder's time) unless
        // another process may hold the folder: then the lock names it. Checked again under the lock.
        if (!Files.exists(dir.resolve(RunLock.FILE))) requireEmptyOrOverwrite(dir, overwrite, writes, o);
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        RunLock lock;
        try {
            lock = RunLock.acquire(dir, command, err, Duration.ZERO, null);
        } catch (RunLock.HeldException e) {
            throw o.usage("--out " + e.getMessage());
        }
        Taken taken = new Taken(dir, lock, created);
        try {
            requireEmptyOrOverwrite(dir, overwrite, writes, o);
            if (overwrite) delete(dir, replaced);
            return taken;
        } catch (RuntimeException | IOException e) {
            taken.close();
            throw e;
        }
    }
}
