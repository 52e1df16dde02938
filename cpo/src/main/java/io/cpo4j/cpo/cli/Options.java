package io.cpo4j.cpo.cli;

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
    private final Set<String> flags = new HashSet<>();

    private Options(String command) {
        this.command = command;
    }

    /** Parses args; an unknown option or a missing value is a {@link UsageException} naming it. */
    static Options parse(String command, List<String> args, List<String> valued, List<String> booleanFlags) {
        Options o = new Options(command);
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
            if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) throw new UsageException(command + ": option --" + name + " needs a value");
                    v = args.get(++i);
                }
                o.values.put(name, v);
            } else if (booleanFlags.contains(name) && inline == null) {
                o.flags.add(name);
            } else {
                throw new UsageException(command + ": unknown option --" + name + " (see ./cpo4j " + command + " --help)");
            }
        }
        return o;
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
            return OptionalDouble.of(Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects a number, got '" + v + "'");
        }
    }

    /** A user mistake on the command line: printed as one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
