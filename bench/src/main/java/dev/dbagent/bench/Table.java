package dev.dbagent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The table in one run: one embedded server with pgbench's data, then, for each repeat and
 * thread count, pgbench -S -M prepared and every {@link PointSelectBenchmark} and
 * {@link WriteBenchmark} variant (each in its own JMH fork, all against that server), one after the
 * other. Ratios are taken within a repeat (so a busy minute on the shared machine moves the
 * yardstick too) and reported as median and range over the repeats.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.dbagent.bench.Table} with optional
 * system properties {@code repeats} (3), {@code threads} (8,1), {@code warmup} (4 iterations) of
 * {@code warmupSeconds} (5 s each: at 8 threads both the service's and HikariCP's paths still
 * speed up for 16-20 s),
 * {@code iterations} (5) of {@code seconds} (2 s each),
 * {@code include} (a regex of benchmark names) and {@code pgbench} (the binary;
 * /usr/lib/postgresql/15/bin/pgbench). With the defaults one repeat of the full table (20 forks
 * and two pgbench runs) takes about 11 minutes on a quiet machine: many short measurement iterations give JMH's
 * error a usable number of degrees of freedom (with 3 iterations its 99.9% interval is ±32
 * standard errors), and the repeats, each running every variant once, keep the variants
 * interleaved in time.
 */
public final class Table {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final String PGBENCH = "pgbench -S -M prepared";

    private Table() {}

    /**
     * @param args ignored; settings are system properties
     * @throws Exception if a benchmark or pgbench fails
     */
    public static void main(String[] args) throws Exception {
        int repeats = Integer.getInteger("repeats", 3);
        List<Integer> threads = new ArrayList<>();
        for (String t : System.getProperty("threads", "8,1").split(",")) {
            threads.add(Integer.parseInt(t.trim()));
        }
        int seconds = Integer.getInteger("seconds", 2);
        int iterations = Integer.getInteger("iterations", 5);
        int warmup = Integer.getInteger("warmup", 4);
        int warmupSeconds = Integer.getInteger("warmupSeconds", 5);
        String include = System.getProperty("include", "PointSelectBenchmark|WriteBenchmark");
        String pgbench = System.getProperty("pgbench", "/usr/lib/postgresql/15/bin/pgbench");

        // results.get(threads).get(variant) = one score per repeat
        Map<Integer, Map<String, List<double[]>>> results = new LinkedHashMap<>();
        try (BenchDb db = BenchDb.startEmbedded()) {
            db.load();
            Path secret = Files.createTempFile("dbagent-bench", ".pw",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(secret, db.password);
            try {
                long began = System.nanoTime();
                for (int r = 1; r <= repeats; r++) {
                    long repeatBegan = System.nanoTime();
                    for (int t : threads) {
                        Map<String, List<double[]>> byVariant = results.computeIfAbsent(t, k -> new LinkedHashMap<>());
                        if (Files.isExecutable(Path.of(pgbench)) && include.contains("PointSelect")) {
                            double tps = pgbench(pgbench, db, t, iterations * seconds);
                            byVariant.computeIfAbsent(PGBENCH, k -> new ArrayList<>()).add(new double[] {tps, 0, Double.NaN});
                            System.out.printf(Locale.ROOT, "# repeat %d, %d threads: %s %.0f tps%n", r, t, PGBENCH, tps);
                        }
                        ChainedOptionsBuilder o = new OptionsBuilder().include(include).threads(t).forks(1)
                                .warmupIterations(warmup).warmupTime(TimeValue.seconds(warmupSeconds))
                                .measurementIterations(iterations).measurementTime(TimeValue.seconds(seconds))
                                .addProfiler(GCProfiler.class).shouldFailOnError(true)
                                .jvmArgsAppend("-Ddbagent.bench.port=" + db.port, "-Ddbagent.bench.user=" + db.user,
                                        "-Ddbagent.bench.passwordFile=" + secret);
                        Collection<RunResult> run = new Runner(o.build()).run();
                        for (RunResult rr : run) {
                            String name = rr.getParams().getBenchmark();
                            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
                            Result<?> primary = rr.getPrimaryResult();
                            double alloc = Double.NaN;
                            for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
                                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                                    alloc = e.getValue().getScore();
                                }
                            }
                            byVariant.computeIfAbsent(name, k -> new ArrayList<>())
                                    .add(new double[] {primary.getScore(), primary.getScoreError(), alloc});
                        }
                    }
                    print(results);
                    System.out.printf(Locale.ROOT, "%n# repeat %d took %d s (%d s so far); load average %s%n", r,
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - repeatBegan),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began), loadAverage());
                }
            } finally {
                Files.deleteIfExists(secret);
            }
        }
    }

    /** @return the 1-minute load average, or "?" off Linux: the figures mean little on a busy machine */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static double pgbench(String binary, BenchDb db, int threads, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(binary, "-n", "-S", "-M", "prepared", "-c", Integer.toString(threads),
                "-j", Integer.toString(threads), "-T", Integer.toString(seconds), "-h", db.host, "-p",
                Integer.toString(db.port), "-U", db.user, BenchDb.DATABASE).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", db.password); // environment, never the command line
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                out.append(line).append('\n');
            }
        }
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + out);
        }
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void print(Map<Integer, Map<String, List<double[]>>> results) {
        for (Map.Entry<Integer, Map<String, List<double[]>>> byThreads : results.entrySet()) {
            Map<String, List<double[]>> v = byThreads.getValue();
            System.out.printf(Locale.ROOT, "%n## %d thread(s), %d repeat(s)%n%n", byThreads.getKey(),
                    v.values().stream().mapToInt(List::size).max().orElse(0));
            System.out.println("| variant | ops/s per repeat (± 99.9% error) | B/op | ratio to yardstick, median [min–max] | yardstick |");
            System.out.println("|---|---|---|---|---|");
            for (Map.Entry<String, List<double[]>> e : v.entrySet()) {
                String name = e.getKey();
                String yard = name.startsWith("WriteBenchmark") ? "WriteBenchmark.hikariTxWithTxid"
                        : "PointSelectBenchmark.hikariPlainJdbc";
                StringBuilder scores = new StringBuilder();
                double alloc = Double.NaN;
                for (double[] s : e.getValue()) {
                    scores.append(scores.length() == 0 ? "" : ", ")
                            .append(String.format(Locale.ROOT, s[1] > 0 ? "%.0f ± %.0f" : "%.0f", s[0], s[1]));
                    alloc = s[2];
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", name, scores,
                        Double.isNaN(alloc) ? "-" : String.format(Locale.ROOT, "%.0f", alloc),
                        ratios(e.getValue(), v.get(yard)), yard.substring(yard.indexOf('.') + 1));
                if (name.equals("WriteBenchmark.serviceWriteDao") && v.containsKey("WriteBenchmark.hikariTxPlain")) {
                    System.out.printf(Locale.ROOT, "| %s | | | %s | hikariTxPlain |%n", name,
                            ratios(e.getValue(), v.get("WriteBenchmark.hikariTxPlain")));
                }
            }
        }
        System.out.flush();
    }

    private static String ratios(List<double[]> scores, List<double[]> yardstick) {
        if (yardstick == null) {
            return "-";
        }
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(scores.size(), yardstick.size()); i++) {
            r.add(scores.get(i)[0] / yardstick.get(i)[0]);
        }
        if (r.isEmpty()) {
            return "-";
        }
        List<Double> sorted = r.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return String.format(Locale.ROOT, "%.2f [%.2f–%.2f]", median, sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
