package dev.dbagent.ops;

import dev.dbagent.InvalidResetTokenException;
import dev.dbagent.OperationRefusedException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The reset seam of {@link Operations}: single-use, expiring tokens and the reset itself. Only the
 * latest token is valid: issuing one invalidates every earlier one. Tokens are shared by every
 * caller view of one database's operations. Thread-safe.
 */
final class Resets extends OpsPart {
    /** The one valid token per destructive operation (reset, rollback), and its expiry. */
    private final Map<Operation, Map.Entry<String, Instant>> tokens = new HashMap<>();

    Resets(OpsPart shared) {
        super(shared);
    }

    /** @throws OperationRefusedException where reset cannot exist at all */
    void refuseInThisEnvironment() {
        refuseInThisEnvironment(Operation.RESET, "it drops every table of schema " + targetSchema);
    }

    /** @throws OperationRefusedException where destructive operations cannot exist at all */
    void refuseInThisEnvironment(Operation operation, String why) {
        String name = operation.auditName();
        if (environment.isProtected()) {
            throw new OperationRefusedException(name + " is refused in " + environment.key()
                    + ": " + why + "; it is only possible in development and test");
        }
        if (!settings.resetEnabled()) {
            throw new OperationRefusedException(name + " is refused: it is disabled by configuration"
                    + " (dbagent.ops.resetEnabled=false) in " + environment.key());
        }
    }

    /** Issues a token for {@code operation} valid until the TTL passes, invalidating its earlier ones. */
    synchronized ResetToken issue(Operation operation, Instant now) {
        ResetToken token = new ResetToken(randomHex(16), now.plus(settings.resetTokenTtl()));
        tokens.put(operation, Map.entry(token.value(), token.expiresAt()));
        return token;
    }

    /** Issues a reset token, invalidating every earlier one. */
    ResetToken issue(Instant now) {
        return issue(Operation.RESET, now);
    }

    /**
     * Consumes the token of {@code operation}, whatever happens next.
     *
     * @throws InvalidResetTokenException if it is unknown, used, superseded or expired
     */
    synchronized void consume(Operation operation, String token) {
        String name = operation.auditName();
        String prepare = operation == Operation.RESET ? "prepareReset" : "prepareRollback";
        Map.Entry<String, Instant> valid = tokens.get(operation);
        if (token == null || valid == null || !java.security.MessageDigest.isEqual(
                valid.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                token.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            throw new InvalidResetTokenException(name + " refused: unknown or already used " + name + " token (or one"
                    + " superseded by a newer " + prepare + "); call " + prepare + " and use its latest token once");
        }
        tokens.remove(operation);
        Instant now = clock.instant();
        if (!now.isBefore(valid.getValue())) {
            throw new InvalidResetTokenException(name + " refused: the " + name + " token expired at " + valid.getValue()
                    + " (now " + now + "); call " + prepare + " again");
        }
    }

    /** Drops and re-creates the target schema through {@code migrations}, with reference data. */
    OperationResult reset(String token, Migrations migrations) throws Exception {
        refuseInThisEnvironment();
        consume(Operation.RESET, token);
        OperationResult.Builder r = new OperationResult.Builder("reset");
        ensureAgentSchema(r);
        Migrator.Outcome o = migrations.migrateLocked(r, initContexts(), true);
        if (!o.ok()) {
            return r.done(false, "schema " + targetSchema + " dropped and re-created, but " + o.failure().describe());
        }
        return r.done(true, "schema " + targetSchema + " dropped and re-created: " + count(o.ran().size()) + " applied");
    }
}
