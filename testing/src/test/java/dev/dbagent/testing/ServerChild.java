package dev.dbagent.testing;

/** A JVM that starts an embedded server, prints its data directory, and waits to be killed. */
public final class ServerChild {
    private ServerChild() {}

    public static void main(String[] args) throws InterruptedException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        System.out.println("DATA " + pg.dataDirectory());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // waits to be killed by the test; not a timing device
    }
}
