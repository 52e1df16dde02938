package io.cpo4j.engine.io;

import java.io.IOException;

/**
 * A user file that cannot be read as what it claims to be. The message names the file (or
 * source) and says what is wrong and where.
 */
public class FormatException extends IOException {

    public FormatException(String source, String problem) {
        super(source + ": " + problem);
    }

    public FormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
