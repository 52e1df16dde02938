package io.cpo4j.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** {@code --name value} and {@code --flag} options of one command, checked against what it accepts. */
final class Options {

    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> repeated = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> warnings = new java.util.ArrayList<>();

    /**
     * Options renamed to TRL's names, old name → new name: the old name is still accepted, with a
     * warning, for one release.
     */
    static final Map<String, String> RENAMED = Map.of("objective", "loss-type", "nll-weight", "cpo-alpha", "xu-alpha", "cpo-alpha");

    private Options(String command) {
        this.command = command;
    }

    /**
     * Parses args; an unknown option or a missing value is a {@link UsageException} naming it.
     * {@code --config FILE.json} (accepted by every command) supplies options from a JSON object
     * whose keys are option names ({@code snake_case} or {@code kebab-case}); flags on the command
     * line win over the file.
     */
    static Options parse(String command, List<String> args, List<String> valued, List<String> booleanFlags) {
        Options o = new Options(command);
        String configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) throw new UsageException(command + ": unexpected argument '" + a + "'");
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            name = o.current(name, "--" + name, valued);
            if (valued.contains(name) || name.equals("config")) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) throw new UsageException(command + ": option --" + name + " needs a value");
                    v = args.get(++i);
                }
                if (name.equals("config")) {
                    configFile = v;
                } else {
                    o.values.put(name, v);
                    o.repeated.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(v);
                }
            } else if (booleanFlags.contains(name) && inline == null) {
                o.flags.add(name);
            } else {
                throw new UsageException(command + ": unknown option --" + name + " (see ./cpo4j " + command + " --help)");
            }
        }
        if (configFile != null) o.readConfig(java.nio.file.Path.of(configFile), valued, booleanFlags);
        return o;
    }

    private void readConfig(java.nio.file.Path file, List<String> valued, List<String> booleanFlags) {
        java.util.Map<String, Object> json;
        try {
            json = io.cpo4j.engine.io.Json.parseObject(io.cpo4j.engine.io.TextFiles.readUtf8(file), file.toString());
        } catch (java.io.IOException e) {
            throw new UsageException(command + ": --config " + e.getMessage());
        }
        addDefaults(json, file.toString(), valued, booleanFlags);
    }

    /**
     * Options from a JSON-like map (keys are option names, {@code snake_case} or
     * {@code kebab-case}) for every option not already given; {@code source} names the map in errors.
     * A config file and a resumed run's saved options come in this way.
     */
    void addDefaults(java.util.Map<String, Object> json, String source, List<String> valued, List<String> booleanFlags) {
        for (java.util.Map.Entry<String, Object> e : json.entrySet()) {
            String name = current(e.getKey().replace('_', '-'), source + ": \"" + e.getKey() + "\"", valued);
            Object v = e.getValue();
            if (valued.contains(name)) {
                if (v instanceof java.util.Map || v == null) throw new UsageException(command + ": " + source + ": option \"" + e.getKey() + "\" needs a plain value");
                String text = v instanceof java.util.List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(v);
                if (!values.containsKey(name)) {
                    values.put(name, text);
                    repeated.put(name, new java.util.ArrayList<>(List.of(text)));
                }
            } else if (booleanFlags.contains(name)) {
                if (!(v instanceof Boolean b)) throw new UsageException(command + ": " + source + ": option \"" + e.getKey() + "\" must be true or false");
                if (b && !values.containsKey(name)) flags.add(name);
            } else {
                throw new UsageException(command + ": " + source + ": unknown option \"" + e.getKey() + "\" (see ./cpo4j " + command + " --help)");
            }
        }
    }

    /** The name an option has now: a renamed one is mapped to its new name, with a warning naming {@code where} it was given. */
    private String current(String name, String where, List<String> valued) {
        String renamed = RENAMED.get(name);
        if (renamed == null || !valued.contains(renamed) || valued.contains(name)) return name;
        String warning = command + ": warning: " + where + " is deprecated and will be removed in the next release; use --" + renamed + " (TRL's name)";
        if (!warnings.contains(warning)) warnings.add(warning);
        return renamed;
    }

    /** Warnings about deprecated option names, one line each, for the command to print on stderr. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Options given, for writing a run's config. */
    java.util.Map<String, Object> asMap() {
        java.util.Map<String, Object> m = new java.util.TreeMap<>(values);
        repeated.forEach((name, all) -> {
            if (all.size() > 1) m.put(name, List.copyOf(all));
        });
        for (String f : flags) m.put(f, Boolean.TRUE);
        return m;
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return intValue(name).orElse(fallback);
    }

    double number(String name, double fallback) {
        return doubleValue(name).orElse(fallback);
    }

    /** An integer option that must be at least {@code min}; a smaller value is a usage error naming the option. */
    int integer(String name, int fallback, int min) {
        int v = integer(name, fallback);
        if (v < min) throw new UsageException(command + ": --" + name + " must be at least " + min + ", got " + v);
        return v;
    }

    /** A number option that must lie in [min, max]; a value outside is a usage error naming the option. */
    double number(String name, double fallback, double min, double max) {
        double v = number(name, fallback);
        if (!(v >= min && v <= max)) {
            throw new UsageException(command + ": --" + name + " must be " + (max == Double.MAX_VALUE ? "at least " + min : "in [" + min + ", " + max + "]") + ", got " + v);
        }
        return v;
    }

    /** An integer option in [min, max]; a value outside is a usage error naming the option. */
    int integer(String name, int fallback, int min, int max) {
        int v = integer(name, fallback, min);
        if (v > max) throw new UsageException(command + ": --" + name + " must be at most " + max + ", got " + v);
        return v;
    }

    /**
     * A number option in [min, max] that is stored and used as a float: besides the range, the
     * value must survive the cast, neither overflowing to Infinity (1e39) nor underflowing to 0
     * (1e-50), so that what config.json records is what the run used.
     */
    float floatNumber(String name, double fallback, double min, double max) {
        double v = number(name, fallback, min, max);
        float f = (float) v;
        if (Float.isInfinite(f)) throw new UsageException(command + ": --" + name + " is too large for a float (at most " + Float.MAX_VALUE + "), got " + v);
        if (f == 0 && v != 0) throw new UsageException(command + ": --" + name + " is too small for a float (nonzero values need magnitude at least " + Float.MIN_VALUE + "), got " + v);
        return f;
    }

    /** A float option that must be positive (and representable as a positive float). */
    float positiveFloat(String name, double fallback) {
        double v = number(name, fallback);
        if (!(v > 0)) throw new UsageException(command + ": --" + name + " must be a positive number, got " + v);
        return floatNumber(name, fallback, 0, Double.MAX_VALUE);
    }

    /**
     * Most engine threads --threads accepts. A fixed number rather than a multiple of this
     * machine's cores, so that a config.json valid on one machine is valid on every other; far
     * more threads than cores only adds overhead (results do not depend on the thread count).
     */
    static final int MAX_THREADS = 1024;

    /** --threads in [1, {@link #MAX_THREADS}], or the engine's current count when absent. */
    int threads() {
        return integer("threads", io.cpo4j.engine.Engine.threads(), 1, MAX_THREADS);
    }

    long longValue(String name, long fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects an integer, got '" + v + "'");
        }
    }

    /**
     * A folder option ({@code --out}): a path that exists as something other than a folder is a
     * usage error naming the option, before any work is done.
     */
    java.nio.file.Path folder(String name) {
        java.nio.file.Path p = java.nio.file.Path.of(require(name));
        if (java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p)) {
            throw new UsageException(command + ": --" + name + " " + p + " is a file; expected a folder (a new one, or an existing folder)");
        }
        return p;
    }

    /** A required option; its absence is a usage error naming it. */
    String require(String name) {
        String v = values.get(name);
        if (v == null) throw new UsageException(command + ": missing --" + name + " (see ./cpo4j " + command + " --help)");
        return v;
    }

    /** Every value of an option given more than once ({@code --stop a --stop b}), in order; empty when absent. */
    /** The options as they would be written on a command line (sorted, for reproducible reports). */
    List<String> commandLine() {
        List<String> out = new java.util.ArrayList<>();
        for (String k : new java.util.TreeSet<>(values.keySet())) {
            String v = values.get(k);
            out.add("--" + k);
            out.add(v.matches("[A-Za-z0-9_./:+=,-]+") ? v : "'" + v.replace("'", "'\\''") + "'");
        }
        for (String f : new java.util.TreeSet<>(flags)) out.add("--" + f);
        return out;
    }

    List<String> all(String name) {
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    OptionalInt intValue(String name) {
        String v = values.get(name);
        if (v == null) return OptionalInt.empty();
        try {
            return OptionalInt.of(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects an integer, got '" + v + "'");
        }
    }

    OptionalDouble doubleValue(String name) {
        String v = values.get(name);
        if (v == null) return OptionalDouble.empty();
        try {
            double d = Double.parseDouble(v.trim());
            // NaN and Infinity (also 1e400, which parses to Infinity) are no setting of any option,
            // and config.json could not record them.
            if (!Double.isFinite(d)) throw new UsageException(command + ": --" + name + " must be a finite number, got '" + v + "'");
            return OptionalDouble.of(d);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects a number, got '" + v + "'");
        }
    }

    /** A usage error of this command (prefixed with its name), to throw. */
    UsageException usage(String message) {
        return new UsageException(command + ": " + message);
    }

    /** A user mistake on the command line: printed as one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
