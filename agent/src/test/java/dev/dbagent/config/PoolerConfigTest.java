package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbagent.InvalidConfigException;
import dev.dbagent.internal.pool.ConnectionFactory;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code dbagent.db.<name>.pooler} and {@code directUrl}: what loading accepts and refuses, and
 * which pgJDBC properties each setting gives the connections.
 */
class PoolerConfigTest {
    private static final String POOLER_URL = "jdbc:postgresql://pgbouncer.example:6432/app";
    private static final String DIRECT_URL = "jdbc:postgresql://db.example:5432/app";

    private static AgentConfig.Builder builder(Map<String, String> env, String... keyValues) {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "production");
        p.setProperty("dbagent.db.main.url", POOLER_URL);
        p.setProperty("dbagent.db.main.user", "app");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return ConfigLoader.create().properties("test", p).environmentVariables(env).builder();
    }

    private static InvalidConfigException refused(String... keyValues) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> builder(Map.of(), keyValues).build());
        assertThat(e).as("expected the config to be refused").isNotNull();
        return e;
    }

    @Test
    void poolerDefaultsToNoneAndOperationsUseTheUrl() {
        DatabaseConfig db = builder(Map.of()).build().databases().get(0);
        assertThat(db.connection().pooler()).isEqualTo(Pooler.NONE);
        assertThat(db.directUrl()).isEmpty();
        assertThat(db.operationsUrl()).isEqualTo(POOLER_URL);
        assertThat(db.operationsConnection()).isEqualTo(db.connection());
    }

    @Test
    void transactionPoolerWithDirectUrlSendsOperationsToTheServer() {
        DatabaseConfig db = builder(Map.of(), "dbagent.db.main.pooler", "Transaction",
                "dbagent.db.main.directUrl", DIRECT_URL).build().databases().get(0);
        assertThat(db.connection().pooler()).isEqualTo(Pooler.TRANSACTION);
        assertThat(db.operationsUrl()).isEqualTo(DIRECT_URL);
        assertThat(db.operationsConnection().pooler()).as("the direct URL is the server: session state is safe")
                .isEqualTo(Pooler.NONE);
        assertThat(db.operationsConnection().currentSchema()).isEqualTo(db.connection().currentSchema());
    }

    @Test
    void environmentVariablesSetThePooler() {
        DatabaseConfig db = builder(Map.of("DBAGENT_DB_MAIN_POOLER", "transaction", "DBAGENT_DB_MAIN_DIRECTURL",
                DIRECT_URL)).build().databases().get(0);
        assertThat(db.connection().pooler()).isEqualTo(Pooler.TRANSACTION);
        assertThat(db.directUrl()).contains(DIRECT_URL);
    }

    @Test
    void transactionPoolerWithoutDirectUrlIsRefusedAtLoad() {
        assertThat(refused("dbagent.db.main.pooler", "transaction").problems()).containsExactly(
                "dbagent.db.main.directUrl is required when dbagent.db.main.pooler=transaction: operations, the"
                        + " migration lock and the audit trail need a connection to the server itself, not through"
                        + " the pooler");
    }

    @Test
    void directUrlThatIsThePoolerAgainIsRefusedMasked() {
        String withSecret = POOLER_URL + "?password=hunter2";
        InvalidConfigException e = refused("dbagent.db.main.url", withSecret, "dbagent.db.main.pooler", "transaction",
                "dbagent.db.main.directUrl", withSecret);
        assertThat(e.problems()).containsExactly("dbagent.db.main.directUrl=" + POOLER_URL + "?password=****: must be"
                + " the server itself, not the pooler's dbagent.db.main.url again (dbagent.db.main.pooler=transaction)");
        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void unknownPoolerAndMalformedDirectUrlAreReportedTogether() {
        assertThat(refused("dbagent.db.main.pooler", "session", "dbagent.db.main.directUrl", "postgres://db/app")
                .problems()).containsExactlyInAnyOrder(
                "dbagent.db.main.pooler=session: must be one of none, transaction",
                "dbagent.db.main.directUrl=postgres://db/app: must be a PostgreSQL JDBC URL (jdbc:postgresql://...)");
    }

    @Test
    void toStringMasksTheDirectUrl() {
        DatabaseConfig db = builder(Map.of(), "dbagent.db.main.pooler", "transaction",
                "dbagent.db.main.directUrl", DIRECT_URL + "?password=hunter2").build().databases().get(0);
        assertThat(db.toString()).contains("directUrl=" + DIRECT_URL + "?password=****").doesNotContain("hunter2")
                .contains("pooler=transaction");
    }

    @Test
    void behindATransactionPoolerConnectionsKeepNoSessionState() {
        DatabaseConfig db = builder(Map.of(), "dbagent.db.main.pooler", "transaction",
                "dbagent.db.main.directUrl", DIRECT_URL, "dbagent.db.main.currentSchema", "civic").build()
                .databases().get(0);
        ConnectionFactory pooled = ConnectionFactory.primary(db);
        Properties p = pooled.driverProperties("dbagent/main/primary");
        assertThat(pooled.sessionStateAllowed()).isFalse();
        assertThat(p.getProperty("prepareThreshold")).isEqualTo("0");
        assertThat(p.getProperty("preparedStatementCacheQueries")).isEqualTo("0");
        assertThat(p.getProperty("readOnlyMode")).isEqualTo("transaction");
        assertThat(p.getProperty("currentSchema")).as("a startup parameter pgbouncer refuses").isNull();

        ConnectionFactory direct = new ConnectionFactory("main", db.operationsUrl(), "app", (String) null,
                db.operationsConnection());
        Properties d = direct.driverProperties("dbagent/main/ops");
        assertThat(direct.sessionStateAllowed()).isTrue();
        assertThat(d.getProperty("currentSchema")).isEqualTo("civic");
        assertThat(d.getProperty("prepareThreshold")).isNull();
        assertThat(d.getProperty("readOnlyMode")).isNull();
    }
}
