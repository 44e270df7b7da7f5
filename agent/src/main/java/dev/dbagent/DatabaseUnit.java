package dev.dbagent;

import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.internal.pool.DatabaseRouter;
import dev.dbagent.internal.pool.RoutedDataSource;
import dev.dbagent.ops.Operations;
import dev.dbagent.service.DatabaseService;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One configured database and everything that belongs to it: its router (primary and replica
 * pools with their breakers), its service, its catalogue and its operations. Immutable once the
 * agent has started it.
 */
final class DatabaseUnit {
    private final DatabaseConfig config;
    private final DatabaseRouter router;
    private final DatabaseService service;
    private final Optional<Catalogue> catalogue;
    private final Operations operations;
    private final Map<Intent, DataSource> dataSources = new EnumMap<>(Intent.class);

    DatabaseUnit(DatabaseConfig config, DatabaseRouter router, DatabaseService service, Optional<Catalogue> catalogue,
            Operations operations) {
        this.config = config;
        this.router = router;
        this.service = service;
        this.catalogue = catalogue;
        this.operations = operations;
        for (Intent intent : Intent.values()) {
            dataSources.put(intent, new RoutedDataSource(router, intent));
        }
    }

    String name() {
        return config.name();
    }

    DatabaseConfig config() {
        return config;
    }

    DatabaseRouter router() {
        return router;
    }

    DatabaseService service() {
        return service;
    }

    Optional<Catalogue> catalogue() {
        return catalogue;
    }

    Operations operations() {
        return operations;
    }

    DataSource dataSource(Intent intent) {
        return dataSources.get(intent);
    }
}
