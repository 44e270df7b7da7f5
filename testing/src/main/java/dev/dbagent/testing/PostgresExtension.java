package dev.dbagent.testing;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Gives each test class a fresh database on one PostgreSQL server started once per test run, and
 * injects it as a {@link TestDatabase} (or the {@link PostgresServer}) parameter.
 *
 * <p>Which server: {@code DBAGENT_TEST_JDBC_URL} (with {@code DBAGENT_TEST_USER},
 * {@code DBAGENT_TEST_PASSWORD}) names an external one; {@code -Ddbagent.test.postgres=testcontainers}
 * asks for a Testcontainers container (tests are skipped with a message where no Docker engine
 * answers); otherwise an embedded server from zonky's binaries runs, also when the JVM is root.
 * The server is closed when the run ends (the root store closes it), and the embedded launcher's
 * shutdown hook covers an interrupted JVM.
 */
public final class PostgresExtension implements ExecutionCondition, BeforeAllCallback, AfterAllCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresServer server = server(context);
        String name = ("t_" + context.getRequiredTestClass().getSimpleName() + "_" + COUNTER.incrementAndGet())
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (name.length() > 60) {
            name = name.substring(0, 50) + "_" + COUNTER.get();
        }
        server.createDatabase(name);
        context.getStore(NS).put(TestDatabase.class, new TestDatabase(server, name));
    }

    /** Skips (reports as skipped, with the reason) every test that needs a server we cannot have. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(NS);
        SkipReason skip = root.getOrComputeIfAbsent(SkipReason.class, k -> {
            try {
                server(context);
                return new SkipReason(null);
            } catch (TestAbortedException e) {
                return new SkipReason(e.getMessage());
            }
        }, SkipReason.class);
        return skip.reason() == null ? ConditionEvaluationResult.enabled("PostgreSQL available")
                : ConditionEvaluationResult.disabled(skip.reason());
    }

    private record SkipReason(String reason) {}

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase db = context.getStore(NS).remove(TestDatabase.class, TestDatabase.class);
        if (db != null && (!db.server().canRestart() || isUp(db.server()))) {
            db.server().dropDatabase(db.name());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == TestDatabase.class || type == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        TestDatabase db = e.getStore(NS).get(TestDatabase.class, TestDatabase.class);
        if (db == null) {
            throw new ParameterResolutionException("no TestDatabase: is the extension registered on the class?");
        }
        return p.getParameter().getType() == PostgresServer.class ? db.server() : db;
    }

    /**
     * @param context any extension context of the run
     * @return the run's shared server, started on first use
     */
    public static PostgresServer server(ExtensionContext context) {
        return context.getRoot().getStore(NS)
                .getOrComputeIfAbsent(Shared.class, k -> new Shared(startServer()), Shared.class).server;
    }

    private static boolean isUp(PostgresServer server) {
        try (var c = server.connect(server.maintenanceDatabase())) {
            return c.isValid(5);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private static PostgresServer startServer() {
        String url = System.getenv("DBAGENT_TEST_JDBC_URL");
        if (url != null && !url.isBlank()) {
            return new ExternalServer(url, System.getenv("DBAGENT_TEST_USER"), System.getenv("DBAGENT_TEST_PASSWORD"));
        }
        if ("testcontainers".equalsIgnoreCase(System.getProperty("dbagent.test.postgres", ""))) {
            if (!ContainerServer.dockerAvailable()) {
                throw new TestAbortedException("-Ddbagent.test.postgres=testcontainers was given, but no Docker "
                        + "engine answers here: skipping tests that need PostgreSQL");
            }
            return ContainerServer.start(System.getProperty("dbagent.test.image", "postgres:17-alpine"));
        }
        return new EmbeddedServer(EmbeddedPostgres.builder().start());
    }

    /** Closes the shared server when the root context closes, i.e. at the end of the run. */
    private static final class Shared implements ExtensionContext.Store.CloseableResource {
        private final PostgresServer server;

        Shared(PostgresServer server) {
            this.server = server;
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
