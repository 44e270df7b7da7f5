package dev.dbagent.embedding;

import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The application's DAO over {@code orders.xml}; verify prepares its statements. */
public interface OrderDao {
    @SqlUpdate("INSERT INTO customers (name) VALUES (:name)")
    int addCustomer(@Bind("name") String name);

    @SqlUpdate("INSERT INTO orders (customer_id, total_cents, note) VALUES (:customer, :total, :note)")
    int addOrder(@Bind("customer") long customer, @Bind("total") Money total, @Bind("note") String note);

    @SqlQuery("SELECT total_cents FROM orders WHERE customer_id = :customer ORDER BY id")
    List<Money> totals(@Bind("customer") long customer);

    @SqlQuery("SELECT note FROM orders WHERE id = :id")
    String note(@Bind("id") long id);
}
