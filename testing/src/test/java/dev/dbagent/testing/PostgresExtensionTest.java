package dev.dbagent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionTest {
    private static String seenInBeforeAll;

    @BeforeAll
    static void setUp(TestDatabase db) {
        seenInBeforeAll = db.name();
    }

    @Test
    void givesTheClassAFreshDatabaseOfItsOwn(TestDatabase db, PostgresServer server) throws Exception {
        assertThat(db.name()).isEqualTo(seenInBeforeAll).startsWith("t_postgresextensiontest_");
        assertThat(db.server()).isSameAs(server);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(db.name());
            assertThat(rs.getInt(2)).isZero();
        }
        Integer answer = db.jdbi().withHandle(h -> h.createQuery("SELECT 40 + 2").mapTo(Integer.class).one());
        assertThat(answer).isEqualTo(42);
    }

    @Test
    void currentSchemaIsApplied(TestDatabase db) {
        db.jdbi().useHandle(h -> h.execute("CREATE SCHEMA IF NOT EXISTS civic"));
        String schema = db.jdbi("civic").withHandle(h -> h.createQuery("SELECT current_schema()").mapTo(String.class).one());
        assertThat(schema).isEqualTo("civic");
    }
}
