package io.cpo4j.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading UTF-8 text files with errors that name the file (missing, or not valid UTF-8, and where). */
public final class TextFiles {

    private TextFiles() {}

    public static String readUtf8(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file.toString(), "not found");
        }
        return decodeUtf8(bytes, file.toString());
    }

    /** Strict UTF-8 decoding; the error gives the byte offset of the first invalid sequence. */
    public static String decodeUtf8(byte[] bytes, String source) throws FormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(bytes);
            throw new FormatException(source, "not valid UTF-8 (first bad byte at offset " + bad + ")");
        }
    }

    private static int firstInvalid(byte[] b) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        var out = java.nio.CharBuffer.allocate(b.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
