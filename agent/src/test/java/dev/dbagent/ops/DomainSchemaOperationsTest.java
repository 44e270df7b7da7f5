package dev.dbagent.ops;

import dev.dbagent.config.Environment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.schema.DomainSchema;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operations on dbagent's own reference domain model, schema civic. */
@ExtendWith(PostgresExtension.class)
class DomainSchemaOperationsTest {
    @Test
    void theDomainModelValidatesInitialisesVerifiesAndHasNoDrift(TestDatabase db) throws Exception {
        Operations ops = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema(DomainSchema.DEFAULT_SCHEMA).catalogue(dev.dbagent.CivicCatalogue.catalogue())
                .environment(Environment.TEST).build();
        assertThat(ops.targetSchema()).isEqualTo(DomainSchema.DEFAULT_SCHEMA);

        OperationResult validate = ops.validate();
        assertThat(validate.success()).as(validate.toText()).isTrue();
        assertThat(OperationsTest.count(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'civic'")).isZero();

        OperationResult init = ops.init();
        assertThat(init.success()).as(init.toText()).isTrue();
        assertThat(init.summary()).startsWith("initialised civic: ");
        assertThat(OperationsTest.count(db, "SELECT count(*) FROM civic.jurisdictions")).isPositive();
        assertThat(ops.init().summary()).isEqualTo("already initialised, 0 changesets");

        OperationResult verify = ops.verify();
        assertThat(verify.success()).as(verify.toText()).isTrue();
        assertThat(verify.steps()).hasSizeGreaterThanOrEqualTo(DomainSchema.daoClasses().size());

        OperationResult drift = ops.drift();
        assertThat(drift.success()).as(drift.toText()).isTrue();

        OperationResult status = ops.status();
        assertThat(status.success()).as(status.toText()).isTrue();
        assertThat(ops.migrateOnStart().summary()).endsWith("Liquibase skipped");
    }
}
