package dev.dbagent.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlRedactionTest {

    @Test
    void literalsAndParametersBecomePlaceholders() {
        assertThat(SqlRedaction.redact("SELECT * FROM t1 WHERE name = 'O''Brien' AND age > 42 AND id = $1"))
                .isEqualTo("SELECT * FROM t1 WHERE name = ? AND age > ? AND id = ?");
        assertThat(SqlRedaction.redact("ALTER ROLE app PASSWORD E'se\\\\cret'"))
                .isEqualTo("ALTER ROLE app PASSWORD ?");
        assertThat(SqlRedaction.redact("DO $body$ BEGIN PERFORM 'x'; END $body$"))
                .isEqualTo("DO ?");
        assertThat(SqlRedaction.redact("SELECT 1.5e3, -7, col2 FROM schema1.table_2 WHERE x = :x"))
                .isEqualTo("SELECT ?, ?, col2 FROM schema1.table_2 WHERE x = :x");
    }

    @Test
    void whitespaceIsCollapsedAndLongTextCut() {
        assertThat(SqlRedaction.redact("SELECT\n  a,\n\tb\nFROM   t")).isEqualTo("SELECT a, b FROM t");
        assertThat(SqlRedaction.redact("SELECT abcdefghij FROM t", 12)).isEqualTo("SELECT ab...");
        assertThat(SqlRedaction.redact(null)).isEmpty();
    }
}
