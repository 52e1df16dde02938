package io.cpo4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
