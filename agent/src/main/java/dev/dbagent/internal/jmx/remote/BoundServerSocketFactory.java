package dev.dbagent.internal.jmx.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Server sockets bound to one address (the JDK's own factories bind to every interface), with TLS
 * when an {@link SSLContext} is given.
 *
 * <p>RMI shares one listening socket among everything exported on the same port with
 * <em>equal</em> factories; {@link #equals} is what lets the registry and the connector object
 * live on one port.
 */
final class BoundServerSocketFactory implements RMIServerSocketFactory {

    private static final int BACKLOG = 50;

    private final InetAddress address;
    private final SSLContext ssl;

    BoundServerSocketFactory(InetAddress address, SSLContext ssl) {
        this.address = Objects.requireNonNull(address, "address");
        this.ssl = ssl;
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        if (ssl == null) {
            return new ServerSocket(port, BACKLOG, address);
        }
        SSLServerSocket socket =
                (SSLServerSocket) ssl.getServerSocketFactory().createServerSocket(port, BACKLOG, address);
        socket.setNeedClientAuth(false);
        return socket;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoundServerSocketFactory other
                && address.equals(other.address)
                && Objects.equals(ssl, other.ssl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, ssl);
    }

    @Override
    public String toString() {
        return "BoundServerSocketFactory[" + address.getHostAddress() + (ssl == null ? "" : ", TLS") + "]";
    }
}
