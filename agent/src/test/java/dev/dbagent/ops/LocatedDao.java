package dev.dbagent.ops;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** A DAO whose SQL lives in classpath files, and one templated statement verify cannot check. */
@UseClasspathSqlLocator
public interface LocatedDao {
    @SqlQuery
    long countIn(@Bind("country") String country);

    @SqlQuery("missing")
    long notThere();

    @SqlQuery("SELECT count(*) FROM <table>")
    long countOf(@Define("table") String table);
}
