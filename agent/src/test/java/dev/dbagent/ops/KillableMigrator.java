package dev.dbagent.ops;

import dev.dbagent.config.Environment;

/**
 * The child JVM of {@link MigrationLockTest}: migrates and is killed with {@code kill -9} while a
 * changeset sleeps. Coordinates come from the environment so the password is not on the command line.
 */
public final class KillableMigrator {
    private KillableMigrator() {
    }

    /** @param args target schema, changelog */
    public static void main(String[] args) {
        Operations ops = Operations.builder()
                .jdbcUrl(System.getenv("DBAGENT_TEST_URL"))
                .user(System.getenv("DBAGENT_TEST_USER"))
                .password(System.getenv("DBAGENT_TEST_SECRET"))
                .targetSchema(args[0])
                .changelog(args[1])
                .environment(Environment.TEST)
                .build();
        System.out.println(ops.migrate().toText());
    }
}
