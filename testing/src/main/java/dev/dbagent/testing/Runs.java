package dev.dbagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Run directories of embedded servers: creation, ownership, and reaping those a dead JVM left. */
final class Runs {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
    private static final String OWNER_FILE = "owner.pid";

    private Runs() {}

    static Path base() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "dbagent-pg");
        try {
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, Binaries.perms("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + base + ": " + e.getMessage(), e);
        }
        return base;
    }

    static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    static String idOf(String osUser, String flag) {
        try {
            Process p = new ProcessBuilder("id", flag, osUser).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 || !out.matches("\\d+")) {
                throw new IllegalStateException("running as root, but OS user '" + osUser
                        + "' to run PostgreSQL as does not exist: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run 'id': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Path newRunDirectory() {
        Path dir = base().resolve("run-" + UUID.randomUUID());
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(dir, Binaries.perms("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** Gives the run directory to the server's OS user (root only); initdb wants to own what it writes. */
    static void prepareForServer(Path dir, String osUser) {
        if (osUser != null) {
            handTo(dir, osUser);
        }
    }

    static void handTo(Path path, String osUser) {
        chown(osUser, path, false);
    }

    static void handToRecursively(Path path, String osUser) {
        chown(osUser, path, true);
    }

    private static void chown(String osUser, Path path, boolean recursive) {
        if (osUser == null) {
            return;
        }
        List<String> cmd = recursive ? List.of("chown", "-R", osUser + ":", path.toString())
                : List.of("chown", osUser + ":", path.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot give " + path + " to " + osUser + ": " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run chown: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops and deletes servers whose owning JVM is gone (killed with SIGKILL, say). */
    static void reapAbandoned() {
        Path base = base();
        try (Stream<Path> runs = Files.list(base)) {
            for (Path run : runs.filter(p -> p.getFileName().toString().startsWith("run-")).toList()) {
                if (isAbandoned(run)) {
                    LOG.info("reaping embedded PostgreSQL left behind by a dead JVM: {}", run);
                    killPostmaster(run.resolve("data"));
                    deleteTree(run);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {} for abandoned servers: {}", base, e.getMessage());
        }
    }

    private static boolean isAbandoned(Path run) {
        try {
            Path owner = run.resolve(OWNER_FILE);
            if (!Files.exists(owner)) {
                FileTime t = Files.getLastModifiedTime(run);
                return t.toInstant().isBefore(Instant.now().minus(Duration.ofMinutes(5)));
            }
            long pid = Long.parseLong(Files.readString(owner, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    static void killPostmaster(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
            postmaster.ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
                h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(x -> h).join();
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot kill postmaster of {}: {}", dataDirectory, e.getMessage());
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(Runs::deleteQuietly);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", root, e.getMessage());
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
