package dev.dbagent.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DomainSchemaTest {
    private static final Pattern NAMED_PARAMETER = Pattern.compile("(?<!:):[A-Za-z]\\w*");

    @Test
    void catalogueListsFiveDomainsWithTheirChangelogsOnTheClasspath() {
        assertThat(DomainSchema.domains()).extracting(Domain::name)
                .containsExactly("foundation", "participation", "accountability", "arguments", "discovery");
        assertThat(DomainSchema.domain("accountability")).get().extracting(Domain::tables)
                .isEqualTo(List.of("accountability_ledger"));
        assertThat(DomainSchema.domain("nope")).isEmpty();
        assertThat(DomainSchema.daoClasses()).hasSize(14).allMatch(Class::isInterface);
        for (String path : classpathResources()) {
            assertThat(DomainSchema.class.getClassLoader().getResource(path)).as(path).isNotNull();
        }
        assertThat(DomainSchema.DEFAULT_SCHEMA).isEqualTo("civic");
        assertThat(DomainSchema.REFERENCE_CONTEXT).isEqualTo("reference");
    }

    @Test
    void everyDaoStatementPreparesAgainstTheMigratedSchema(TestDatabase db) throws SQLException {
        CivicSchema.migrate(db, DomainSchema.DEFAULT_SCHEMA);
        List<String> failures = new ArrayList<>();
        int prepared = 0;

        try (Connection c = db.dataSource(DomainSchema.DEFAULT_SCHEMA).getConnection()) {
            for (Class<?> dao : DomainSchema.daoClasses()) {
                for (Method m : dao.getDeclaredMethods()) {
                    String sql = sqlOf(m);
                    assertThat(sql).as("%s.%s has no SQL annotation", dao.getSimpleName(), m.getName()).isNotNull();
                    try (PreparedStatement ps = c.prepareStatement(NAMED_PARAMETER.matcher(sql).replaceAll("?"))) {
                        // forces a server-side parse and analysis of the statement
                        ps.getParameterMetaData();
                        prepared++;
                    } catch (SQLException e) {
                        failures.add(dao.getSimpleName() + "." + m.getName() + ": " + e.getMessage());
                    }
                }
            }
        }

        assertThat(failures).isEmpty();
        assertThat(prepared).isGreaterThanOrEqualTo(60);
    }

    private static String sqlOf(Method m) {
        SqlQuery q = m.getAnnotation(SqlQuery.class);
        if (q != null) {
            return q.value();
        }
        SqlUpdate u = m.getAnnotation(SqlUpdate.class);
        return u == null ? null : u.value();
    }

    private static List<String> classpathResources() {
        List<String> paths = new ArrayList<>();
        paths.add(DomainSchema.MASTER_CHANGELOG);
        paths.add(DomainSchema.REFERENCE_CHANGELOG);
        DomainSchema.domains().forEach(d -> paths.add(d.changelog()));
        return paths;
    }
}
