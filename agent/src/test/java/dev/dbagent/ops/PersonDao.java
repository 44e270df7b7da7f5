package dev.dbagent.ops;

import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** A DAO over the test changelog {@code simple/master.xml}, for verify. */
public interface PersonDao {
    @SqlQuery("SELECT id, name, email FROM person WHERE id = :id")
    String findById(@Bind("id") long id);

    @SqlQuery("SELECT name FROM person WHERE email = :email AND name <> 'not:a-parameter'")
    String findByEmail(@Bind("email") String email);

    @SqlUpdate("INSERT INTO person (name, email, country) VALUES (:name, :email, :country)")
    int insert(@Bind("name") String name, @Bind("email") String email, @Bind("country") String country);

    @SqlUpdate("DELETE FROM person WHERE created_at < :before::timestamptz")
    int deleteOlderThan(@Bind("before") String before);

    @SqlQuery("SELECT p.name FROM person p JOIN country c ON c.code = p.country WHERE c.code IN (<codes>)")
    List<String> namesIn(@BindList("codes") List<String> codes);
}
