package dev.dbagent.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlVerifierTest {
    @Test
    void namedParametersBecomePositionalAndRepeatedNamesShareANumber() {
        SqlVerifier.Positional p = SqlVerifier.positional(
                "SELECT * FROM t WHERE a = :a AND b = :bee OR a = :a AND c::text = ? AND d IN (<ids>)");
        assertThat(p.sql()).isEqualTo("SELECT * FROM t WHERE a = $1 AND b = $2 OR a = $1 AND c::text = $3 AND d IN ($4)");
        assertThat(p.parameters()).isEqualTo(4);
    }

    @Test
    void literalsCommentsQuotedIdentifiersAndDollarQuotesAreLeftAlone() {
        String sql = "SELECT ':no', \"col:x\", $$ :nope $$, $tag$ :x $tag$ -- :c\n FROM t /* :d */ WHERE x = :yes";
        SqlVerifier.Positional p = SqlVerifier.positional(sql);
        assertThat(p.sql()).isEqualTo(
                "SELECT ':no', \"col:x\", $$ :nope $$, $tag$ :x $tag$ -- :c\n FROM t /* :d */ WHERE x = $1");
        assertThat(p.parameters()).isEqualTo(1);
    }

    @Test
    void statementsAreReadFromJdbiAnnotationsInMethodOrder() {
        List<String> warnings = new ArrayList<>();
        List<SqlVerifier.Statement> statements = SqlVerifier.statements(List.of(PersonDao.class), warnings);
        assertThat(statements).extracting(SqlVerifier.Statement::name).containsExactly(
                "PersonDao.deleteOlderThan", "PersonDao.findByEmail", "PersonDao.findById", "PersonDao.insert",
                "PersonDao.namesIn");
        assertThat(statements.get(2).sql()).isEqualTo("SELECT id, name, email FROM person WHERE id = :id");
        assertThat(warnings).isEmpty();
    }

    @Test
    void classpathLocatedSqlIsReadAndTemplatesAndMissingFilesAreReported() {
        List<String> warnings = new ArrayList<>();
        List<SqlVerifier.Statement> statements = SqlVerifier.statements(List.of(LocatedDao.class), warnings);
        assertThat(statements).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("LocatedDao.countIn");
            assertThat(s.sql()).isEqualTo("SELECT count(*) FROM person WHERE country = :country");
        });
        assertThat(warnings).containsExactly(
                "LocatedDao.countOf builds its SQL from @Define template attributes; not checked",
                "LocatedDao.notThere: SQL not found on the classpath; not checked");
    }
}
