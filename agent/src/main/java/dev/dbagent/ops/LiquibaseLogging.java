package dev.dbagent.ops;

import java.util.logging.Level;
import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.LoggerFactory;

/**
 * Sends Liquibase's log to slf4j while dbagent runs it, instead of java.util.logging on stderr.
 * Liquibase's INFO chatter ("Custom SQL executed", update summaries) goes to DEBUG: dbagent's
 * own result and audit line already say what happened.
 */
final class LiquibaseLogging extends AbstractLogService {
    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface's signature
    public Logger getLog(Class clazz) {
        org.slf4j.Logger target = LoggerFactory.getLogger("liquibase." + (clazz == null ? "core" : clazz.getSimpleName()));
        return new AbstractLogger() {
            @Override
            public void log(Level level, String message, Throwable e) {
                int v = level.intValue();
                if (level == Level.OFF) {
                    return; // Liquibase logs some messages "at" OFF, meaning: not at all
                }
                if (v >= Level.SEVERE.intValue()) {
                    target.error(message, e);
                } else if (v >= Level.WARNING.intValue()) {
                    target.warn(message, e);
                } else if (v >= Level.FINE.intValue()) {
                    target.debug(message, e);
                } else {
                    target.trace(message, e);
                }
            }
        };
    }
}
