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
    private final Map<String, Instant> tokens = new HashMap<>();

    Resets(OpsPart shared) {
        super(shared);
    }

    /** @throws OperationRefusedException where reset cannot exist at all */
    void refuseInThisEnvironment() {
        if (environment.isProtected()) {
            throw new OperationRefusedException("reset is refused in " + environment.key()
                    + ": it drops every table of schema " + targetSchema + "; it is only possible in development and test");
        }
        if (!settings.resetEnabled()) {
            throw new OperationRefusedException("reset is refused: it is disabled by configuration"
                    + " (dbagent.ops.resetEnabled=false) in " + environment.key());
        }
    }

    /** Issues a token valid until the TTL passes, invalidating every earlier one. */
    synchronized ResetToken issue(Instant now) {
        tokens.clear();
        ResetToken token = new ResetToken(randomHex(16), now.plus(settings.resetTokenTtl()));
        tokens.put(token.value(), token.expiresAt());
        return token;
    }

    /**
     * Consumes a token, whatever happens next.
     *
     * @throws InvalidResetTokenException if it is unknown, used, superseded or expired
     */
    synchronized void consume(String token) {
        Instant expiry = token == null ? null : tokens.remove(token);
        if (expiry == null) {
            throw new InvalidResetTokenException("reset refused: unknown or already used reset token (or one superseded by a"
                    + " newer prepareReset); call prepareReset and use its latest token once");
        }
        Instant now = clock.instant();
        if (!now.isBefore(expiry)) {
            throw new InvalidResetTokenException("reset refused: the reset token expired at " + expiry
                    + " (now " + now + "); call prepareReset again");
        }
    }

    /** Drops and re-creates the target schema through {@code migrations}, with reference data. */
    OperationResult reset(String token, Migrations migrations) throws Exception {
        refuseInThisEnvironment();
        consume(token);
        OperationResult.Builder r = new OperationResult.Builder("reset");
        ensureAgentSchema(r);
        Migrator.Outcome o = migrations.migrateLocked(r, initContexts(), true);
        if (!o.ok()) {
            return r.done(false, "schema " + targetSchema + " dropped and re-created, but " + o.failure().describe());
        }
        return r.done(true, "schema " + targetSchema + " dropped and re-created: " + count(o.ran().size()) + " applied");
    }
}
