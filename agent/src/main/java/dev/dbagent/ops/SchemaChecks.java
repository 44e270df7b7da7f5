package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import liquibase.changelog.ChangeSet;

/**
 * The schema-check seam of {@link Operations}: validate (dry run, rolled back), verify (every DAO
 * statement planned against the live schema), drift and profile (both against a throwaway schema
 * that is dropped afterwards). None of them changes the live schema.
 */
final class SchemaChecks extends OpsPart {
    SchemaChecks(OpsPart shared) {
        super(shared);
    }

    OperationResult validate() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("validate");
        Migrator.Status s;
        long t0 = System.nanoTime();
        try {
            s = migrator.status(targetSchema, initContexts());
        } catch (Exception e) {
            r.step("parse changelog", (System.nanoTime() - t0) / 1_000_000, "failed");
            return r.done(false, "changelog " + migrator.changelog() + " does not parse: " + Sql.describe(e));
        }
        r.step("parse changelog", (System.nanoTime() - t0) / 1_000_000, s.all().size() + " changesets in "
                + Migrator.files(s.log()).size() + " files");
        r.step("checksums", 0, s.applied().size() + " applied, " + s.mismatches().size() + " changed");
        if (!s.mismatches().isEmpty()) {
            s.mismatches().forEach(r::warn);
            return r.done(false, s.mismatches().get(0));
        }
        List<String> warnings = new ArrayList<>();
        Migrator.Outcome o = progress.track("validate", s.pending().size(),
                run -> migrator.dryRun(targetSchema, s.pending(), s.log(), warnings, run));
        warnings.forEach(r::warn);
        for (Migrator.Ran ran : o.ran()) {
            r.step("dry run " + ran.name(), ran.millis(), "ok (rolled back)");
        }
        if (!o.ok()) {
            return r.done(false, o.failure().describe() + " (dry run rolled back; database unchanged)");
        }
        return r.done(true, "changelog valid: " + s.pending().size() + " pending changeset"
                + (s.pending().size() == 1 ? "" : "s") + " dry-run and rolled back");
    }

    OperationResult verify() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("verify");
        List<String> warnings = new ArrayList<>();
        List<SqlVerifier.Statement> statements = SqlVerifier.statements(daoClasses, warnings);
        List<SqlVerifier.Check> checks;
        try (Connection c = coordinates.openSimpleProtocol("verify")) {
            checks = SqlVerifier.check(c, targetSchema, statements, warnings);
        }
        warnings.forEach(r::warn);
        List<String> failures = new ArrayList<>();
        for (SqlVerifier.Check ch : checks) {
            r.step(ch.statement().name(), ch.millis(), ch.error() == null ? "ok" : ch.error());
            if (ch.error() != null) {
                failures.add(ch.statement().name() + ": " + ch.error());
            }
        }
        if (failures.isEmpty()) {
            return r.done(true, checks.size() + " statements of " + daoClasses.size() + " DAOs planned against "
                    + targetSchema);
        }
        return r.done(false, failures.size() + " of " + checks.size() + " statements fail against "
                + targetSchema + "; first: " + failures.get(0));
    }

    OperationResult drift() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("drift");
        String scratch = "dbagent_drift_" + randomHex(6);
        try {
            Migrator.Outcome o = buildScratch("drift", r, scratch, migrateContexts());
            if (!o.ok()) {
                return r.done(false, "the changelog does not apply to an empty schema: " + o.failure().describe());
            }
            Map<String, String> expected;
            Map<String, String> live;
            try (Connection c = coordinates.open("ops")) {
                long t0 = System.nanoTime();
                expected = Catalog.read(c, scratch);
                live = Catalog.read(c, targetSchema);
                r.step("compare catalogues", (System.nanoTime() - t0) / 1_000_000, expected.size()
                        + " objects from the changelog, " + live.size() + " live");
            }
            List<String> diffs = Catalog.diff(expected, live);
            for (String d : diffs) {
                r.step("drift", 0, d);
            }
            return r.done(diffs.isEmpty(), diffs.isEmpty()
                    ? "no drift: " + live.size() + " objects of " + targetSchema + " match the changelog"
                    : diffs.size() + " difference" + (diffs.size() == 1 ? "" : "s") + " between " + targetSchema
                    + " and the changelog");
        } finally {
            dropScratch(r, scratch);
        }
    }

    OperationResult profile() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("profile");
        String scratch = "dbagent_profile_" + randomHex(6);
        Migrator.Outcome o;
        try {
            o = buildScratch("profile", null, scratch, initContexts());
        } finally {
            dropScratch(r, scratch);
        }
        List<Migrator.Ran> sorted = new ArrayList<>(o.ran());
        sorted.sort(Comparator.comparingLong(Migrator.Ran::millis).reversed());
        List<OperationResult.Step> steps = new ArrayList<>();
        for (Migrator.Ran ran : sorted) {
            steps.add(new OperationResult.Step(ran.name(), ran.millis(), ran.file()));
        }
        steps.addAll(r.steps());
        try (Connection c = coordinates.open("ops")) {
            steps.addAll(DatabaseProfile.describe(c, targetSchema));
        }
        OperationResult done = o.ok() ? r.done(true, count(sorted.size()) + " in "
                + sorted.stream().mapToLong(Migrator.Ran::millis).sum() + " ms" + (sorted.isEmpty() ? ""
                : "; slowest " + sorted.get(0).name() + " " + sorted.get(0).millis() + " ms"))
                : r.done(false, o.failure().describe());
        return new OperationResult("profile", done.success(), done.summary(), steps, done.warnings(), done.duration());
    }


    Migrator.Outcome buildScratch(String operation, OperationResult.Builder r, String scratch, String contexts)
            throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = coordinates.open("ops")) {
            Sql.exec(c, "CREATE SCHEMA " + Sql.ident(scratch));
        }
        Migrator.Outcome o = progress.track(operation, 0, run -> {
            run.total(migrator.status(scratch, contexts).pending().size());
            return migrator.update(scratch, contexts, run);
        });
        if (r != null) {
            r.step("apply changelog into " + scratch, (System.nanoTime() - t0) / 1_000_000, count(o.ran().size()));
        }
        return o;
    }


    void dropScratch(OperationResult.Builder r, String scratch) {
        long t0 = System.nanoTime();
        try (Connection c = coordinates.open("ops")) {
            Sql.exec(c, "DROP SCHEMA IF EXISTS " + Sql.ident(scratch) + " CASCADE");
            r.step("drop " + scratch, (System.nanoTime() - t0) / 1_000_000, "dropped");
        } catch (SQLException e) {
            r.warn("could not drop throwaway schema " + scratch + ": " + Sql.describe(e) + "; drop it by hand");
        }
    }
}
