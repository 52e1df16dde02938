package io.cpo4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RunLockTest {

    @TempDir
    Path dir;

    /** Child process: exit 0 if it could lock the file named by args[0], 3 if it could not. */
    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            System.exit(lock == null ? 3 : 0);
        }
    }

    private static int tryLockFromAnotherProcess(Path file) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockTest.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child ends").isTrue();
        return p.exitValue();
    }

    // POSIX drops a process's fcntl lock when it closes any descriptor of the file: acquiring must not
    // read the path through a descriptor it then closes (it once did, and a second run took the folder).
    @Test
    void anotherProcessCannotLockTheFileWhileARunHoldsItAndCanAfterwards() throws Exception {
        PrintStream err = new PrintStream(OutputStream.nullOutputStream());
        Path file = dir.resolve(RunLock.FILE);
        try (RunLock held = RunLock.acquire(dir, "train", err, Duration.ZERO, null)) {
            assertThat(tryLockFromAnotherProcess(file)).as("locked by this process").isEqualTo(3);
        }
        assertThat(file).doesNotExist();
        java.nio.file.Files.writeString(file, "");
        assertThat(tryLockFromAnotherProcess(file)).as("released").isZero();
    }
}
