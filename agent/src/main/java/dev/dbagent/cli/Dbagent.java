package dev.dbagent.cli;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.DbAgentException;
import dev.dbagent.Intent;
import dev.dbagent.InvalidConfigException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.ConfigLoader;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.ops.Operation;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.ops.Operations;
import dev.dbagent.ops.ResetToken;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The local command: runs one canonical operation for a config file in a fresh JVM, without a
 * running application — for CI pipelines, Kubernetes Jobs and init containers.
 *
 * <pre>
 * java -cp &lt;application classpath&gt; dev.dbagent.cli.Dbagent --config conf/dbagent.properties [--db NAME] migrate
 * </pre>
 *
 * <p>It runs on the application's classpath because the changelog and the DAOs are the
 * application's resources. It loads the config the way the application does
 * ({@link ConfigLoader#system(Path)}: the file, its per-environment sibling, {@code DBAGENT_*}
 * environment variables, system properties), then starts the agent <em>without</em> remote JMX,
 * Jolokia, the HTTP endpoint or migrate-on-start, and runs the operation through
 * {@link DatabaseAgent#operations(String)}: the same guards (reset refused in staging and
 * production), the same audit (log, audit table; the caller is {@code local:<os user>}) and the
 * same result as over JMX, printed as {@code dbctl} prints it.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} the operation failed, a check answered no,
 * or health is DOWN; {@value #USAGE} bad arguments or an invalid configuration; {@value #UNREACHABLE}
 * the database cannot be reached or refuses the login; {@value #REFUSED} the operation was refused
 * by a guard. The result goes to standard output, errors to standard error.
 *
 * <p>Operations are entries of one table ({@link #COMMANDS}); a new canonical operation is one more
 * entry.
 */
public final class Dbagent {
    /** The operation succeeded (a check found nothing wrong). */
    public static final int OK = 0;
    /** The operation failed, a check answered no, or health is DOWN. */
    public static final int FAILED = 1;
    /** Bad arguments or an invalid configuration. */
    public static final int USAGE = 2;
    /** The database cannot be reached or refuses the login. */
    public static final int UNREACHABLE = 3;
    /** The operation was refused by a guard (reset in production, a live migration lock, ...). */
    public static final int REFUSED = 5;

    /**
     * One command: how it is described, what is wrong with its arguments (checked before the
     * agent starts) and what it runs.
     */
    private record Command(String usage, String description, Function<List<String>, Optional<String>> argsProblem,
            Runner runner) {}

    /** Arguments of a command that takes none. */
    private static Optional<String> none(String command, List<String> args) {
        return args.isEmpty() ? Optional.empty() : Optional.of(command + " takes no arguments, not '" + args.get(0) + "'");
    }

    @FunctionalInterface
    private interface Runner {
        /** @return the exit code, having printed the result */
        int run(Context context) throws Exception;
    }

    /** What a command works with. */
    private record Context(DatabaseAgent agent, String database, Operations operations, List<String> args,
            PrintStream out) {
        boolean flag(String name) {
            return args.contains(name);
        }
    }

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        op(Operation.INIT, "create the database's schemas, apply its changelog and reference data", Operations::init);
        op(Operation.MIGRATE, "apply pending changesets", Operations::migrate);
        op(Operation.STATUS, "applied/pending changesets of the database", Operations::status);
        op(Operation.VALIDATE, "dry-run pending changesets (rolled back)", Operations::validate);
        op(Operation.VERIFY, "prepare every statement of the catalogue's DAOs against the live schema", Operations::verify);
        op(Operation.DRIFT, "compare the live schema with what the changelog builds", Operations::drift);
        op(Operation.PROFILE, "pool and query profile", Operations::profile);
        op(Operation.PREVIEW, "the SQL migrate would run; nothing is executed", Operations::preview);
        op(Operation.CHANGELOG_SYNC, "record pending changesets as applied without running them (baseline)",
                Operations::changelogSync);
        op(Operation.REPAIR_CHECKSUMS, "record current checksums after an intentional changelog edit",
                Operations::repairChecksums);
        COMMANDS.put(Operation.RESET.auditName(), new Command("reset",
                "prepareReset, then reset with its token (refused in staging/production)", a -> none("reset", a), c -> {
                    ResetToken token = c.operations().prepareReset();
                    return print(c.out(), c.operations().reset(token.value()));
                }));
        COMMANDS.put(Operation.ROLLBACK.auditName(), new Command("rollback N | rollback --tag T",
                "prepareRollback, then roll back N changesets or to tag T (refused in staging/production)",
                Dbagent::rollbackProblem, c -> {
                    ResetToken token = c.operations().prepareRollback();
                    return print(c.out(), c.args().get(0).equals("--tag")
                            ? c.operations().rollbackToTag(c.args().get(1), token.value())
                            : c.operations().rollback(Integer.parseInt(c.args().get(0)), token.value()));
                }));
        COMMANDS.put(Operation.RELEASE_LOCK.auditName(), new Command("release-lock [--force]",
                "release a stale migration lock (--force: even if it looks alive)",
                a -> a.isEmpty() || a.equals(List.of("--force")) ? Optional.empty()
                        : Optional.of("release-lock takes only --force"),
                c -> print(c.out(), c.operations().releaseLock(c.flag("--force")))));
        COMMANDS.put(Operation.HEALTH.auditName(), new Command("health", "run every health check now; exit 1 when DOWN",
                a -> none("health", a), c -> {
            HealthReport report = c.agent().health().runNow();
            c.out().print(report.toText());
            c.out().println("status: " + report.status());
            return report.status() == HealthStatus.DOWN ? FAILED : OK;
        }));
    }

    /** A command that is one {@link Operation} without arguments, named as in the audit trail. */
    private static void op(Operation operation, String description, Function<Operations, OperationResult> f) {
        COMMANDS.put(operation.auditName(), new Command(operation.auditName(), description,
                a -> none(operation.auditName(), a), c -> print(c.out(), f.apply(c.operations()))));
    }

    private static Optional<String> rollbackProblem(List<String> args) {
        if (args.size() == 2 && args.get(0).equals("--tag") && !args.get(1).isBlank()) {
            return Optional.empty();
        }
        if (args.size() == 1 && args.get(0).matches("[1-9][0-9]{0,5}")) {
            return Optional.empty();
        }
        return Optional.of("rollback takes a count (rollback 2) or a tag (rollback --tag v1.4)");
    }

    private Dbagent() {}

    /**
     * Runs the command line and exits the JVM with its code.
     *
     * @param args {@code --config FILE [--db NAME] <command> [flags]}
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /**
     * Runs the command line in this JVM. Blocks while the operation runs.
     *
     * @param args {@code --config FILE [--db NAME] <command> [flags]}
     * @param out where the result goes
     * @param err where errors go
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        String database = null;
        String command = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--db")) && command == null) {
                if (i + 1 >= args.length) {
                    return usage(err, a + " needs a value");
                }
                if (a.equals("--config")) {
                    config = Path.of(args[++i]);
                } else {
                    database = args[++i];
                }
            } else if ((a.equals("-h") || a.equals("--help") || a.equals("help")) && command == null) {
                out.print(help());
                return OK;
            } else if (command == null && a.startsWith("--")) {
                return usage(err, "unknown option " + a);
            } else if (command == null) {
                command = a;
            } else {
                rest.add(a);
            }
        }
        if (command == null) {
            return usage(err, "no command given");
        }
        Command cmd = COMMANDS.get(command);
        if (cmd == null) {
            return usage(err, "unknown command '" + command + "'");
        }
        Optional<String> argsProblem = cmd.argsProblem().apply(List.copyOf(rest));
        if (argsProblem.isPresent()) {
            return usage(err, argsProblem.get());
        }
        if (config == null) {
            return usage(err, "--config FILE is required");
        }

        AgentConfig loaded;
        try {
            loaded = localConfig(config);
        } catch (InvalidConfigException e) {
            err.println("dbagent: " + e.getMessage());
            return USAGE;
        }
        String db;
        if (database != null) {
            Optional<DatabaseConfig> named = loaded.database(database);
            if (named.isEmpty()) {
                return usage(err, "no database '" + database + "' in " + config + "; configured: " + names(loaded));
            }
            db = named.get().name();
        } else if (loaded.databases().size() == 1) {
            db = loaded.databases().get(0).name();
        } else {
            return usage(err, config + " configures several databases " + names(loaded) + ": name one with --db");
        }

        DatabaseAgent agent;
        try {
            agent = DatabaseAgent.builder(loaded).start();
        } catch (DbAgentException e) {
            err.println("dbagent: " + e.getMessage());
            return unreachable(e) ? UNREACHABLE : FAILED;
        }
        try {
            if (!command.equals("health")) {
                Optional<String> why = reach(agent, db);
                if (why.isPresent()) {
                    err.println("dbagent: database '" + db + "' cannot be reached: " + why.get());
                    return UNREACHABLE;
                }
            }
            Operations ops = agent.operations(db).as("local:" + System.getProperty("user.name", "unknown"));
            // as dbctl prints the progress notifications: one line per changeset, while it runs
            ops.addProgressListener(p -> err.println("progress: " + p.describe()));
            return cmd.runner().run(new Context(agent, db, ops, List.copyOf(rest), out));
        } catch (OperationRefusedException e) {
            err.println("dbagent: " + e.getMessage());
            return REFUSED;
        } catch (Exception e) {
            err.println("dbagent: " + command + " failed: " + e);
            return unreachable(e) ? UNREACHABLE : FAILED;
        } finally {
            agent.close();
        }
    }

    /**
     * The application's config with what a one-shot command must not do turned off: remote JMX,
     * Jolokia and the HTTP endpoint (another instance may hold their ports; nobody should manage
     * a process that ends in seconds), migrate-on-start (the command is the migration, or must not
     * be one), and the health schedule beyond its first run. The pool's wait for a new connection
     * becomes at least connect plus login timeout: a fresh JVM's first login (class loading, TLS,
     * SCRAM) is slower than a warm pool's borrow, and a one-shot command has nobody to keep waiting.
     */
    static AgentConfig localConfig(Path file) {
        AgentConfig base = ConfigLoader.system(file).load();
        AgentConfig.Builder b = ConfigLoader.system(file).builder()
                .set("dbagent.jmx.remote.enabled", false)
                .set("dbagent.jolokia.enabled", false)
                .set("dbagent.http.enabled", false)
                .set("dbagent.health.intervalSeconds", 3600);
        for (DatabaseConfig db : base.databases()) {
            b.set("dbagent.db." + db.name() + ".migrate.onStart", false);
            long firstLogin = db.connection().connectTimeout().plus(db.connection().loginTimeout()).toMillis();
            b.set("dbagent.db." + db.name() + ".pool.maxWaitMillis", Math.max(db.pool().maxWait().toMillis(), firstLogin));
        }
        return b.build();
    }

    /** @return why the database's primary cannot be reached, empty if it can (or exists not yet: init creates it) */
    private static Optional<String> reach(DatabaseAgent agent, String db) {
        try (Connection c = agent.dataSource(db, Intent.WRITE).getConnection()) {
            return Optional.empty();
        } catch (SQLException | RuntimeException e) {
            return unreachable(e) ? Optional.of(String.valueOf(e.getMessage()).lines().findFirst().orElse(""))
                    : Optional.empty();
        }
    }

    /**
     * Connection failures (SQLSTATE 08, timeouts, I/O), an open breaker, and a refused login
     * (SQLSTATE class 28): the server, the network or the credentials, not the operation.
     */
    private static boolean unreachable(Throwable t) {
        String state = Failures.sqlState(t);
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BreakerOpenException) {
                return true;
            }
        }
        return Failures.isInfrastructure(t) || state != null && state.startsWith("28");
    }

    /** Prints a result as {@code dbctl} does and maps it to an exit code. */
    static int print(PrintStream out, OperationResult r) {
        out.println("operation = " + Operation.byName(r.operation()).map(Operation::jmxName).orElse(r.operation()));
        out.println("success = " + r.success());
        out.println("summary = " + r.summary());
        out.println("durationMillis = " + r.duration().toMillis());
        if (!r.warnings().isEmpty()) {
            out.println("warnings = " + String.join("; ", r.warnings()));
        }
        if (!r.steps().isEmpty()) {
            out.println("steps:");
            for (OperationResult.Step s : r.steps()) {
                Map<String, String> fields = new TreeMap<>(Map.of("name", s.name(), "millis", Long.toString(s.millis()),
                        "detail", s.detail()));
                StringBuilder line = new StringBuilder("  -");
                fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
                out.println(line);
            }
        }
        out.println("text:");
        out.print(r.toText());
        return r.success() ? OK : FAILED;
    }

    private static List<String> names(AgentConfig config) {
        return config.databases().stream().map(DatabaseConfig::name).toList();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("dbagent: " + problem);
        err.print(help());
        return USAGE;
    }

    static String help() {
        StringBuilder b = new StringBuilder()
                .append("Usage: java -cp <application classpath> dev.dbagent.cli.Dbagent --config FILE [--db NAME] <command>\n\n")
                .append("Runs one canonical operation without the application: remote JMX, Jolokia, the HTTP endpoint\n")
                .append("and migrate-on-start stay off; guards and audit are those of the running agent\n")
                .append("(caller local:<os user>).\n\nCommands:\n");
        COMMANDS.values().forEach(c -> b.append(String.format("  %-22s %s%n", c.usage(), c.description())));
        b.append("\nOptions:\n")
                .append("  --config FILE          the application's dbagent properties file (its <env> sibling, DBAGENT_*\n")
                .append("                         environment variables and -D system properties apply as in the application)\n")
                .append("  --db NAME              the database; may be left out when the config has exactly one\n")
                .append("\nExit codes: 0 success; 1 failed, a check answered no, or health DOWN; 2 usage or invalid\n")
                .append("  configuration; 3 database unreachable or login refused; 5 refused by a guard.\n");
        return b.toString();
    }
}
