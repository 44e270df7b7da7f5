package dev.dbagent.jmx.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * HTTP basic authentication for one user that also hands the user to Jolokia as a {@link Subject}:
 * Jolokia runs the request inside {@code Subject.doAs} when the exchange carries one, which is how
 * {@link Callers#current()} learns who called.
 */
final class BasicAuthenticator extends com.sun.net.httpserver.BasicAuthenticator {

    /** The exchange attribute Jolokia's handler reads (ConfigKey.JAAS_SUBJECT_REQUEST_ATTRIBUTE). */
    static final String JOLOKIA_SUBJECT_ATTRIBUTE = "org.jolokia.jaasSubject";

    private final byte[] user;
    private final byte[] password;

    BasicAuthenticator(String realm, String user, String password) {
        super(realm, StandardCharsets.UTF_8);
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        Result result = super.authenticate(exchange);
        if (result instanceof Success success) {
            HttpPrincipal principal = success.getPrincipal();
            Subject subject = new Subject(true, Set.of(principal), Set.of(), Set.of());
            exchange.setAttribute(JOLOKIA_SUBJECT_ATTRIBUTE, subject);
        }
        return result;
    }

    @Override
    public boolean checkCredentials(String givenUser, String givenPassword) {
        // both compared, constant time, so timing tells nothing about which one was wrong
        boolean userOk = MessageDigest.isEqual(user, givenUser.getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = MessageDigest.isEqual(password, givenPassword.getBytes(StandardCharsets.UTF_8));
        return userOk & passwordOk;
    }
}
