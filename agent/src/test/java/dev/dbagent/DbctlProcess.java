package dev.dbagent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the real {@code scripts/dbctl} for the tests that drive it: no {@code DBCTL_*}
 * variable of the test's own environment leaks in, standard input is empty, and output and
 * errors are collected through files (a chatty run cannot block on a full pipe).
 *
 * @param exit the exit code
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
public record DbctlProcess(int exit, String out, String err) {
    /** The script under test. */
    public static final Path DBCTL = Path.of("..", "scripts", "dbctl").toAbsolutePath().normalize();

    /**
     * Runs {@code bash scripts/dbctl args...} and waits at most five minutes.
     *
     * @param env variables to set for this run
     * @param outputDir where the output files go
     * @param args dbctl's arguments
     * @return how it ended
     * @throws AssertionError if it did not finish in five minutes (it is killed)
     * @throws IOException if the process cannot be started or its output read
     * @throws InterruptedException if interrupted while waiting
     */
    public static DbctlProcess run(Map<String, String> env, Path outputDir, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", DBCTL.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("DBCTL_"));
        builder.environment().putAll(env);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Path out = Files.createTempFile(outputDir, "out", ".txt");
        Path err = Files.createTempFile(outputDir, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("dbctl " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new DbctlProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
