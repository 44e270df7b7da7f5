package dev.dbagent.internal.jmx.remote;

import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.internal.jmx.access.RolePrincipal;
import dev.dbagent.internal.jmx.access.Users;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.security.auth.Subject;

import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;

/**
 * What every Jolokia request passes before Jolokia parses it, in this order:
 * <ol>
 *   <li>only {@code GET} and {@code POST} (405 otherwise);</li>
 *   <li>no JSONP: a {@code callback} parameter is refused (400), so no page can read answers
 *       through a script tag;</li>
 *   <li>browsers: an {@code Origin} (or, without one, the origin of the {@code Referer}) must be
 *       one the policy allows, and a request without either that a browser marks as cross-site
 *       ({@code Sec-Fetch-Site}) is refused (403); tools that send none of these pass;</li>
 *   <li>HTTP basic authentication against {@link Users} (401), unless the bridge runs without
 *       authentication (development), when the caller is {@code anonymousRole};</li>
 *   <li>the body: a declared {@code Content-Length} over the limit is refused (413) without
 *       reading it; otherwise at most limit + 1 bytes are read, and more is refused;</li>
 *   <li>no proxy and only the served request types ({@code read}, {@code list}, {@code search},
 *       {@code version}, {@code exec}, any case): a POST naming a {@code target} or another type,
 *       or a GET whose path or any {@code p} parameter starts with another type, is refused (403).</li>
 * </ol>
 * The request then runs as a {@link Subject} holding the user and its {@link RolePrincipal},
 * which {@link RoleRestrictor} authorises per action and {@link Callers} names in the audit.
 * Thread-safe: immutable after construction.
 */
final class JolokiaGate extends Authenticator {

    /** The exchange attribute Jolokia's handler reads (ConfigKey.JAAS_SUBJECT_REQUEST_ATTRIBUTE). */
    static final String JOLOKIA_SUBJECT_ATTRIBUTE = "org.jolokia.jaasSubject";

    private static final Set<String> SAME_SITE = Set.of("same-origin", "none");
    /** The request types the bridge serves; each action is then decided by {@link RoleRestrictor}. */
    private static final Set<String> SERVED_TYPES = Set.of("read", "list", "search", "version", "exec");

    private final Basic basic;
    private final Role anonymousRole;
    private final int maxBodyBytes;
    private final Predicate<String> originAllowed;

    /**
     * @param users the users, or null for no authentication
     * @param anonymousRole the role of every caller when {@code users} is null
     * @param maxBodyBytes the largest body accepted
     * @param originAllowed whether a browser origin ({@code scheme://host[:port]}) may call
     */
    JolokiaGate(Users users, Role anonymousRole, int maxBodyBytes, Predicate<String> originAllowed) {
        this.basic = users == null ? null : new Basic(users);
        this.anonymousRole = anonymousRole;
        this.maxBodyBytes = maxBodyBytes;
        this.originAllowed = originAllowed;
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            return new Failure(405);
        }
        if (hasCallbackParameter(exchange.getRequestURI().getRawQuery())) {
            return new Failure(400);
        }
        if (method.equals("GET") && !getTypesServed(exchange)) {
            return new Failure(403);
        }
        if (!browserAllowed(exchange)) {
            return new Failure(403);
        }
        HttpPrincipal principal;
        Role role;
        if (basic == null) {
            principal = new HttpPrincipal("anonymous", "dbagent");
            role = anonymousRole;
        } else {
            Result result = basic.authenticate(exchange);
            if (!(result instanceof Success success)) {
                return result;
            }
            principal = success.getPrincipal();
            role = basic.users.roleOf(principal.getUsername()).orElse(null);
            if (role == null) {
                return new Failure(401);
            }
        }
        if (method.equals("POST")) {
            byte[] body = body(exchange);
            if (body == null) {
                return new Failure(413);
            }
            if (asksForProxyOrUnservedType(body)) {
                return new Failure(403);
            }
        }
        exchange.setAttribute(JOLOKIA_SUBJECT_ATTRIBUTE,
                new Subject(true, Set.of(principal, new RolePrincipal(role)), Set.of(), Set.of()));
        return new Success(principal);
    }

    private static boolean hasCallbackParameter(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String param : rawQuery.split("&")) {
            int eq = param.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
            if (key.strip().equalsIgnoreCase("callback")) {
                return true;
            }
        }
        return false;
    }

    private boolean browserAllowed(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origin.isBlank()) {
            // "null" is what sandboxed frames and file: pages send: a browser, from nowhere we know
            return !origin.strip().equals("null") && originAllowed.test(origin.strip().toLowerCase(Locale.ROOT));
        }
        String referer = exchange.getRequestHeaders().getFirst("Referer");
        if (referer != null && !referer.isBlank()) {
            String refererOrigin = originOf(referer);
            return refererOrigin != null && originAllowed.test(refererOrigin.toLowerCase(Locale.ROOT));
        }
        // a browser that hides both still says where the request comes from; tools say nothing
        String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        return site == null || SAME_SITE.contains(site.strip().toLowerCase(Locale.ROOT));
    }

    /** {@code scheme://host[:port]} of a URL, or null if it has no scheme or host. */
    static String originOf(String url) {
        try {
            URI uri = new URI(url.strip());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Jolokia answers a proxy request (one with a {@code target}) from the local MBeanServer when
     * its proxy service is absent, which would mislead the caller: it is refused instead.
     */
    private static boolean asksForProxyOrUnservedType(byte[] body) {
        Object json;
        try {
            json = new JSONParser().parse(new String(body, StandardCharsets.UTF_8));
        } catch (ParseException | IOException | RuntimeException e) {
            return false; // Jolokia reports the syntax error itself
        }
        List<?> requests = json instanceof List<?> list ? list : List.of(json);
        return requests.stream().anyMatch(r -> r instanceof Map<?, ?> m
                && (m.containsKey("target") || m.get("config") instanceof Map<?, ?> c && c.containsKey("target")
                        || m.get("type") instanceof String type && !SERVED_TYPES.contains(type.toLowerCase(Locale.ROOT))));
    }

    /**
     * Every type a GET could mean - the path's first segment and that of every {@code p}
     * parameter, however often it is repeated - must be one we serve; Jolokia's notification
     * commands do not all pass its restrictor, so they are stopped here.
     */
    private boolean getTypesServed(HttpExchange exchange) {
        List<String> paths = new java.util.ArrayList<>();
        String path = exchange.getRequestURI().getPath();
        int context = path.indexOf("/jolokia");
        paths.add(context < 0 ? path : path.substring(context + "/jolokia".length()));
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String param : query.split("&")) {
                int eq = param.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
                if (key.strip().equalsIgnoreCase("p") && eq >= 0) {
                    paths.add(URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        for (String p : paths) {
            String rest = p.replaceFirst("^/+", "");
            String type = rest.split("/", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!type.isEmpty() && !SERVED_TYPES.contains(type)) {
                return false;
            }
        }
        return true;
    }

    /** Reads the body (at most limit + 1 bytes) and puts it back for Jolokia; null if over the limit. */
    private byte[] body(HttpExchange exchange) {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBodyBytes) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        byte[] body;
        try {
            InputStream in = exchange.getRequestBody();
            body = in.readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            return null;
        }
        if (body.length > maxBodyBytes) {
            return null;
        }
        exchange.setStreams(new ByteArrayInputStream(body), null);
        return body;
    }

    /** Basic authentication against the users table. */
    private static final class Basic extends BasicAuthenticator {
        private final Users users;

        Basic(Users users) {
            super("dbagent", StandardCharsets.UTF_8);
            this.users = users;
        }

        @Override
        public boolean checkCredentials(String user, String password) {
            return users.authenticate(user, password).isPresent();
        }

    }
}
