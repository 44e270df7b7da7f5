package dev.dbagent.mbeans;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the tests that look at beans through a fresh {@link RemoteJmx} per test. */
abstract class OverRemoteJmx {
    RemoteJmx jmx;

    @BeforeEach
    void startJmx() throws Exception {
        jmx = new RemoteJmx();
    }

    @AfterEach
    void stopJmx() throws Exception {
        jmx.close();
    }
}
