package dev.dbagent.service;

/**
 * Internal marker: the wrapped failure may be retried and there is time left. Never reaches a
 * caller; {@link DatabaseService} unwraps it when the retry gives up.
 */
final class RetryableFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient long remainingMillis;

    RetryableFailure(Throwable cause, long remainingMillis) {
        super(cause.toString(), cause, false, false);
        this.remainingMillis = remainingMillis;
    }

    long remainingMillis() {
        return remainingMillis;
    }
}
