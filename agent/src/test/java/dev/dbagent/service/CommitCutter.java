package dev.dbagent.service;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * A netcrusher TCP proxy between a pool and PostgreSQL that, when armed, cuts the connection
 * that sends the next COMMIT: either after the server answered it (the commit happened, the
 * client never hears so), before it reaches the server (the server aborts), or by shutting the
 * whole proxy (nobody can ask the server afterwards). It can also cut every connection at once
 * and black-hole the network.
 */
public final class CommitCutter implements AutoCloseable {
    /** What to do with the next COMMIT. */
    public enum Mode {
        /** Forward COMMIT, swallow the answer, then cut the connection. */
        AFTER_COMMIT_REACHED_SERVER,
        /** Drop COMMIT and cut the connection. */
        BEFORE_COMMIT_REACHED_SERVER,
        /** Drop COMMIT and close the whole proxy. */
        AND_CLOSE_PROXY
    }

    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

    private final NioReactor reactor;
    private final TcpCrusher crusher;
    private final AtomicReference<Mode> armed = new AtomicReference<>();
    private final Set<InetSocketAddress> swallowing = ConcurrentHashMap.newKeySet();
    private final Set<InetSocketAddress> cutting = ConcurrentHashMap.newKeySet();
    private final Map<InetSocketAddress, Set<String>> commitStatements = new ConcurrentHashMap<>();
    private final ExecutorService closer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "commit-cutter");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private volatile int cuts;

    /**
     * @param targetHost PostgreSQL host
     * @param targetPort PostgreSQL port
     * @throws Exception if the reactor cannot start
     */
    public CommitCutter(String targetHost, int targetPort) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        this.port = port;
        this.reactor = new NioReactor();
        this.crusher = TcpCrusherBuilder.builder()
                .withReactor(reactor)
                .withBindAddress("127.0.0.1", port)
                .withConnectAddress(targetHost, targetPort)
                .withOutgoingTransformFilterFactory(addr -> bb -> outgoing(addr, bb))
                .withIncomingTransformFilterFactory(addr -> bb -> incoming(addr, bb))
                .buildAndOpen();
    }

    /** @return the proxy's port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @param mode what to do with the next COMMIT */
    public void arm(Mode mode) {
        armed.set(mode);
    }

    /** @return how many connections were cut */
    public int cuts() {
        return cuts;
    }

    /** Cuts every proxied connection now. */
    public void cutAll() {
        crusher.closeAllPairs();
    }

    /**
     * A black hole: from now on no byte moves in either direction and new connections are
     * accepted by the kernel but never answered, until {@link #restore()}. What was sent in
     * between is delivered afterwards, as TCP retransmission would after a transient partition.
     */
    public void blackhole() {
        crusher.freeze();
    }

    /** Ends a {@link #blackhole()}. */
    public void restore() {
        crusher.unfreeze();
    }

    private void outgoing(InetSocketAddress client, ByteBuffer bb) {
        Mode mode = armed.get();
        if (System.getProperty("cutter.debug") != null) {
            StringBuilder d = new StringBuilder();
            for (int k = bb.position(); k < bb.limit(); k++) {
                byte b = bb.get(k);
                d.append(b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            System.err.println("OUT " + mode + " " + client + ": " + d);
        }
        // Parse every buffer, armed or not, to learn the names of server-side prepared COMMITs.
        boolean commit = sendsCommit(client, bb);
        if (mode == null || !commit || !armed.compareAndSet(mode, null)) {
            return;
        }
        switch (mode) {
            case AFTER_COMMIT_REACHED_SERVER -> swallowing.add(client); // cut when the answer comes
            case BEFORE_COMMIT_REACHED_SERVER -> {
                bb.position(bb.limit());
                cut(client);
            }
            case AND_CLOSE_PROXY -> {
                bb.position(bb.limit());
                closer.execute(() -> {
                    crusher.close();
                    cuts++;
                });
            }
        }
    }

    private void incoming(InetSocketAddress client, ByteBuffer bb) {
        if (swallowing.contains(client)) {
            bb.position(bb.limit());
            if (cutting.add(client)) {
                cut(client);
            }
        }
    }

    private void cut(InetSocketAddress client) {
        closer.execute(() -> {
            crusher.closeClient(client);
            cuts++;
        });
    }

    /**
     * True if the buffer carries a COMMIT: a simple Query or a Parse with the text, or a Bind of a
     * statement that pgJDBC prepared earlier (server-side) from a Parse of COMMIT. Assumes
     * messages are not split across buffers, which holds for these small messages.
     */
    private boolean sendsCommit(InetSocketAddress client, ByteBuffer bb) {
        Set<String> named = commitStatements.computeIfAbsent(client, c -> ConcurrentHashMap.newKeySet());
        boolean commit = false;
        int i = bb.position();
        while (i + 5 <= bb.limit()) {
            byte tag = bb.get(i);
            int length = bb.getInt(i + 1);
            if (tag < 'A' || tag > 'z' || length < 4 || i + 1 + length > bb.limit()) {
                return commit || contains(bb, COMMIT);
            }
            int body = i + 5;
            int end = i + 1 + length;
            if (tag == 'Q' && startsWithCommit(bb, body, end)) {
                commit = true;
            } else if (tag == 'P') {
                String name = cString(bb, body, end);
                int query = body + name.length() + 1;
                if (startsWithCommit(bb, query, end)) {
                    commit = true;
                    if (!name.isEmpty()) {
                        named.add(name);
                    }
                }
            } else if (tag == 'B') {
                String portal = cString(bb, body, end);
                String statement = cString(bb, body + portal.length() + 1, end);
                if (named.contains(statement)) {
                    commit = true;
                }
            }
            i = end;
        }
        return commit;
    }

    private static boolean startsWithCommit(ByteBuffer bb, int from, int end) {
        if (from + COMMIT.length > end) {
            return false;
        }
        for (int j = 0; j < COMMIT.length; j++) {
            if (bb.get(from + j) != COMMIT[j]) {
                return false;
            }
        }
        return true;
    }

    private static String cString(ByteBuffer bb, int from, int end) {
        StringBuilder sb = new StringBuilder();
        for (int j = from; j < end && bb.get(j) != 0; j++) {
            sb.append((char) bb.get(j));
        }
        return sb.toString();
    }

    private static boolean contains(ByteBuffer bb, byte[] needle) {
        outer:
        for (int i = bb.position(); i <= bb.limit() - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bb.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        closer.shutdownNow();
        if (crusher.isOpen()) {
            crusher.close();
        }
        reactor.close();
    }
}
