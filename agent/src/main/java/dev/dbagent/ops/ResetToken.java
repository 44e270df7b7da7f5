package dev.dbagent.ops;

import java.time.Instant;

/**
 * A single-use confirmation for {@link Operations#reset(String)}, valid until {@link #expiresAt()}.
 *
 * @param value the token to pass to reset
 * @param expiresAt when it stops being accepted
 */
public record ResetToken(String value, Instant expiresAt) {
}
