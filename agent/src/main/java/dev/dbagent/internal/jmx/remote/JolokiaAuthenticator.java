package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;

import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;

/**
 * HTTP basic authentication for Jolokia with the same users and roles as remote JMX: a
 * {@code readonly} user may only read, list, search and ask the version; a {@code readwrite} user
 * may do whatever the Jolokia policy allows.
 *
 * <p>On success the exchange carries a {@link Subject} holding an {@link HttpPrincipal}; Jolokia
 * runs the request inside {@code Subject.doAs} with it, which is how {@link Callers#current()}
 * learns who called. Thread-safe: the user tables are immutable after construction.
 */
final class JolokiaAuthenticator extends BasicAuthenticator {

    /** The exchange attribute Jolokia's handler reads (ConfigKey.JAAS_SUBJECT_REQUEST_ATTRIBUTE). */
    static final String JOLOKIA_SUBJECT_ATTRIBUTE = "org.jolokia.jaasSubject";

    private static final Set<String> READ_ONLY_TYPES = Set.of("read", "list", "search", "version");
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final byte[] NO_PASSWORD = new byte[32];

    private final Map<String, byte[]> passwords;
    private final Set<String> readWriteUsers;
    private final String context;

    private JolokiaAuthenticator(String context, Map<String, byte[]> passwords, Set<String> readWriteUsers) {
        super("dbagent", StandardCharsets.UTF_8);
        this.context = context;
        this.passwords = Map.copyOf(passwords);
        this.readWriteUsers = Set.copyOf(readWriteUsers);
    }

    /** One user with full (policy-bounded) rights. */
    static JolokiaAuthenticator singleUser(String context, String user, String password) {
        return new JolokiaAuthenticator(context,
                Map.of(user, password.getBytes(StandardCharsets.UTF_8)), Set.of(user));
    }

    /**
     * Users from a JDK-format password file ({@code user password} lines) with roles from a
     * JDK-format access file ({@code user readonly|readwrite}). A user missing from the access
     * file is refused everything.
     */
    static JolokiaAuthenticator fromFiles(String context, Path passwordFile, Path accessFile) {
        Map<String, byte[]> passwords = new HashMap<>();
        for (String[] entry : entries(passwordFile, "Jolokia password file")) {
            passwords.put(entry[0], entry[1].getBytes(StandardCharsets.UTF_8));
        }
        Set<String> readWrite = new HashSet<>();
        Set<String> known = new HashSet<>();
        for (String[] entry : entries(accessFile, "Jolokia access file")) {
            String level = entry[1].toLowerCase(Locale.ROOT);
            if (!level.equals("readonly") && !level.equals("readwrite")) {
                throw new OperationRefusedException("Jolokia access file " + accessFile + ": access level for user '"
                        + entry[0] + "' must be readonly or readwrite, but was '" + entry[1] + "'");
            }
            known.add(entry[0]);
            if (level.equals("readwrite")) {
                readWrite.add(entry[0]);
            }
        }
        // users without a role cannot log in at all
        passwords.keySet().retainAll(known);
        return new JolokiaAuthenticator(context, passwords, readWrite);
    }

    private static List<String[]> entries(Path file, String what) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OperationRefusedException(what + " " + file + " cannot be read: " + e.getMessage());
        }
        List<String[]> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 2) {
                // the line itself may hold a password: name the line number only
                throw new OperationRefusedException(what + " " + file + ": line " + (i + 1)
                        + " must be '<user> <value>'");
            }
            entries.add(parts);
        }
        return entries;
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        Result result = super.authenticate(exchange);
        if (!(result instanceof Success success)) {
            return result;
        }
        HttpPrincipal principal = success.getPrincipal();
        if (!readWriteUsers.contains(principal.getUsername()) && !readOnlyRequest(exchange)) {
            return new Failure(403);
        }
        exchange.setAttribute(JOLOKIA_SUBJECT_ATTRIBUTE, new Subject(true, Set.of(principal), Set.of(), Set.of()));
        return result;
    }

    @Override
    public boolean checkCredentials(String user, String password) {
        byte[] expected = passwords.get(user);
        // compare even for an unknown user, so timing does not tell which users exist
        boolean matches = MessageDigest.isEqual(expected == null ? NO_PASSWORD : expected,
                password.getBytes(StandardCharsets.UTF_8));
        return expected != null && matches;
    }

    /** Whether every request in this exchange is a read, list, search or version request. */
    private boolean readOnlyRequest(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        if ("GET".equalsIgnoreCase(method)) {
            return READ_ONLY_TYPES.contains(getRequestType(exchange));
        }
        if ("POST".equalsIgnoreCase(method)) {
            return postRequestTypes(exchange).stream().allMatch(READ_ONLY_TYPES::contains);
        }
        return "OPTIONS".equalsIgnoreCase(method);
    }

    private String getRequestType(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        String rest = path.length() > context.length() && path.startsWith(context) ? path.substring(context.length()) : "";
        if (rest.isEmpty() || rest.equals("/")) {
            // Jolokia also takes the path from the "p" query parameter
            String query = exchange.getRequestURI().getRawQuery();
            rest = "";
            if (query != null) {
                for (String param : query.split("&")) {
                    if (param.startsWith("p=")) {
                        rest = URLDecoder.decode(param.substring(2), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        rest = rest.startsWith("/") ? rest.substring(1) : rest;
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    /** Reads the body (and puts it back for Jolokia); an unreadable body counts as not read-only. */
    private static List<String> postRequestTypes(HttpExchange exchange) {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            return List.of("unreadable");
        }
        exchange.setStreams(new ByteArrayInputStream(body), null);
        if (body.length > MAX_BODY_BYTES) {
            return List.of("too-large");
        }
        List<String> types = new ArrayList<>();
        try {
            Object json = new JSONParser().parse(new String(body, StandardCharsets.UTF_8));
            List<?> requests = json instanceof List<?> list ? list : List.of(json);
            for (Object request : requests) {
                Object type = request instanceof Map<?, ?> map ? map.get("type") : null;
                types.add(type == null ? "missing" : type.toString().toLowerCase(Locale.ROOT));
            }
        } catch (ParseException | IOException | RuntimeException e) {
            return List.of("unparseable");
        }
        return types;
    }
}
