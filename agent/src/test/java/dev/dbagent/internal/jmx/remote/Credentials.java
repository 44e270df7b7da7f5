package dev.dbagent.internal.jmx.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Password and access files in a temp directory, owner-only as the JDK and dbagent require. */
final class Credentials {

    static final String MONITOR_PASSWORD = "m0nitor-Secret";
    static final String OPERATOR_PASSWORD = "0perator-Secret";

    final Path passwordFile;
    final Path accessFile;

    private Credentials(Path passwordFile, Path accessFile) {
        this.passwordFile = passwordFile;
        this.accessFile = accessFile;
    }

    /** Copies the shipped templates, with test passwords instead of the placeholders. */
    static Credentials in(Path dir) throws IOException {
        Path config = Path.of("..", "jmx-config");
        String template = Files.readString(config.resolve("jmxremote.password.template"))
                .replace("CHANGE-ME-monitor-password", MONITOR_PASSWORD)
                .replace("CHANGE-ME-operator-password", OPERATOR_PASSWORD);
        Path password = dir.resolve("jmxremote.password");
        Files.writeString(password, template);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path access = dir.resolve("jmxremote.access");
        Files.copy(config.resolve("jmxremote.access"), access);
        return new Credentials(password, access);
    }

    static Path policy() {
        return Path.of("..", "jmx-config", "jolokia-access.xml").toAbsolutePath().normalize();
    }
}
