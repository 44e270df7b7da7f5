package dev.dbagent.ops;

import dev.dbagent.OperationRefusedException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import liquibase.changelog.ChangeSet;

/** The lock seam of {@link Operations}: shows and releases the migration lock. */
final class LockRelease extends OpsPart {
    LockRelease(OpsPart shared) {
        super(shared);
    }

    OperationResult releaseLock(boolean force) throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("release-lock");
        try (Connection c = coordinates.open("ops")) {
            List<MigrationLock.Holder> holders = MigrationLock.holders(c, targetSchema).stream()
                    .filter(MigrationLock.Holder::granted).toList();
            Optional<MigrationLock.LiquibaseLock> lb = MigrationLock.liquibaseLock(c, targetSchema);
            r.step("migration lock", 0, holders.isEmpty() ? "free" : "held by " + String.join("; ",
                    holders.stream().map(MigrationLock.Holder::describe).toList()));
            r.step("liquibase lock", 0, lb.map(MigrationLock.LiquibaseLock::describe).orElse("free"));
            if (holders.isEmpty()) {
                if (lb.isEmpty()) {
                    return r.done(true, "no lock held; nothing to release");
                }
                MigrationLock.clearLiquibaseLock(c, targetSchema);
                return r.done(true, "released stale " + lb.get().describe() + " (no migrator holds the migration lock)");
            }
            if (!force) {
                throw new OperationRefusedException("migration lock of " + targetSchema + " is held by a live session: "
                        + holders.get(0).describe() + "; not released. Wait for it, or use force=true to terminate it");
            }
            for (MigrationLock.Holder h : holders) {
                Sql.exists(c, "SELECT pg_terminate_backend(?) WHERE true", h.pid());
                r.step("terminated pid " + h.pid(), 0, h.describe());
            }
            MigrationLock.clearLiquibaseLock(c, targetSchema);
            return r.done(true, "forced: terminated " + holders.size() + " session" + (holders.size() == 1 ? "" : "s")
                    + " holding the migration lock; lock released");
        }
    }
}
