package dev.dbagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The JDK's own {@code keytool}, for the tests that make a CA, certificates and key stores. */
public final class Keytool {
    private Keytool() {
    }

    /**
     * Runs {@code keytool args...} of the running JDK and waits at most a minute.
     *
     * @param args keytool's arguments
     * @throws AssertionError with keytool's output if it fails or does not finish
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError("keytool " + args[0] + " failed: " + output);
        }
    }
}
