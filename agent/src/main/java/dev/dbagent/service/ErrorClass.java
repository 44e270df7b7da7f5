package dev.dbagent.service;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.internal.pool.Failures;

/** The error counters of a service: what kind of failure reached the caller. */
enum ErrorClass {
    INFRASTRUCTURE("infrastructure"),
    CONSTRAINT("constraint"),
    SYNTAX("syntax"),
    SERIALIZATION("serialization"),
    APPLICATION("application"),
    BREAKER_REJECTED("breaker-rejected"),
    POOL_EXHAUSTED("pool-exhausted");

    final String metricName;

    ErrorClass(String metricName) {
        this.metricName = metricName;
    }

    static ErrorClass of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BreakerOpenException) {
                return BREAKER_REJECTED;
            }
            if (c instanceof PoolExhaustedException) {
                return POOL_EXHAUSTED;
            }
        }
        if (Failures.isInfrastructure(t)) {
            return INFRASTRUCTURE;
        }
        String state = Failures.sqlState(t);
        if (state == null) {
            return APPLICATION;
        }
        if (state.startsWith("23")) {
            return CONSTRAINT;
        }
        if (state.startsWith("42")) {
            return SYNTAX;
        }
        if (state.equals("40001") || state.equals("40P01")) {
            return SERIALIZATION;
        }
        return APPLICATION;
    }
}
