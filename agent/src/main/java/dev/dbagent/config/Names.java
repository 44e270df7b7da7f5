package dev.dbagent.config;

import dev.dbagent.mbeans.ObjectNames;

/** The one rule for agent and database names: they are parts of JMX ObjectNames (and keys). */
final class Names {
    private Names() {}

    /** @return true if {@code name} can be an ObjectName part as it is */
    static boolean validAgentName(String name) {
        return ObjectNames.isValidNamePart(name);
    }

    /** @return true if {@code name} can be an ObjectName part and a configuration key segment */
    static boolean validDatabaseName(String name) {
        return ObjectNames.isValidNamePart(name) && name.indexOf('.') < 0;
    }

    static String agentNameProblem(String name) {
        return "dbagent.name=" + name + ": must match " + ObjectNames.NAME_PART_REGEX + " (it is part of JMX ObjectNames)";
    }

    static String databaseNameProblem(String db) {
        return "database name " + db + ": must match [A-Za-z0-9][A-Za-z0-9_-]*"
                + " (it is part of JMX ObjectNames and configuration keys)";
    }
}
