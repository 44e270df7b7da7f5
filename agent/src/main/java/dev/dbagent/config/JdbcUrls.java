package dev.dbagent.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in JDBC URLs before they are shown anywhere (toString, logs, exception
 * messages, MBean attributes).
 *
 * <p>Stateless and thread-safe.
 */
public final class JdbcUrls {
    /** The prefix every dbagent database URL must have. */
    public static final String POSTGRES_PREFIX = "jdbc:postgresql://";

    // Any parameter whose name ends in "password" (password=, sslpassword=), in ?, & or ; form.
    private static final Pattern PASSWORD_PARAM =
            Pattern.compile("(?i)([?&;][^=&;?]*password=)[^&;]*");
    // user:secret@host userinfo; the host part of "//host:5432/db" has no '@' before the '/'.
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?]*:)[^/@]*@");
    // What mask() can take apart safely: jdbc:<driver>://[user[:secret]@]hosts[/db][?params]
    private static final Pattern WELL_FORMED =
            Pattern.compile("jdbc:[A-Za-z0-9]+(?::[A-Za-z0-9]+)*://(?:[^/?#@\\s]*@)?[^/?#@\\s]*(?:/[^?#@\\s]*)?(?:\\?[^#\\s]*)?");
    private static final Pattern HOST_PORT =
            Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]+))?");
    // "password" anywhere, or user info before an '@' (jdbc:oracle:thin:@host has none)
    private static final Pattern MAY_HOLD_SECRET = Pattern.compile("(?i).*(password|[^:/]@).*", Pattern.DOTALL);

    private static final Pattern URL_IN_TEXT = Pattern.compile("jdbc:[^\\s\"'<>]+");
    private static final Pattern PASSWORD_IN_TEXT = Pattern.compile("(?i)((?:ssl)?password=)(?!\\*\\*\\*\\*)[^&\\s;,\"']*");

    private JdbcUrls() {
    }

    /**
     * Masks the password parts of a JDBC URL: {@code password=...} (and {@code sslpassword=...})
     * parameter values and the secret of a {@code user:secret@} user-info part become
     * {@code ****}. Everything else is kept so the URL still identifies host and database.
     *
     * @param url a JDBC URL, may be null
     * @return the masked URL, or null if {@code url} is null
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        if (!WELL_FORMED.matcher(url).matches() && MAY_HOLD_SECRET.matcher(url).matches()) {
            // A URL we cannot take apart may hide a secret anywhere: show only what it is.
            int scheme = url.startsWith(POSTGRES_PREFIX) ? POSTGRES_PREFIX.length() : Math.min(url.length(), 5);
            return url.substring(0, scheme) + "**** (malformed URL of " + url.length() + " characters, hidden)";
        }
        String masked = PASSWORD_PARAM.matcher(url).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****"));
        return USER_INFO.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****@"));
    }

    /**
     * Masks a text that may quote a URL or a password verbatim (a driver's or a pool's exception
     * message, say): every occurrence of {@code url} becomes {@link #mask(String) its masked form},
     * and every occurrence of {@code password} becomes {@code ****}.
     *
     * @param text the text, may be null
     * @param url the URL it may contain, may be null
     * @param password the password it may contain, may be null
     * @return the masked text, or null if {@code text} is null
     */
    public static String maskIn(String text, String url, String password) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (url != null && !url.isEmpty()) {
            out = out.replace(url, mask(url));
        }
        if (password != null && !password.isEmpty()) {
            out = out.replace(password, "****");
        }
        return out;
    }

    /**
     * Masks a free text (an exception message, say) that may quote JDBC URLs: each
     * {@code jdbc:...} word becomes {@link #mask(String) its masked form} and any remaining
     * {@code password=...} value becomes {@code ****}; the rest of the text is kept.
     *
     * @param text the text, may be null
     * @return the masked text, or null if {@code text} is null
     */
    public static String maskText(String text) {
        if (text == null) {
            return null;
        }
        String out = URL_IN_TEXT.matcher(text).replaceAll(m -> Matcher.quoteReplacement(mask(m.group())));
        return PASSWORD_IN_TEXT.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****"));
    }

    /**
     * What is wrong with a database URL, checked as pgJDBC will read it: the prefix
     * {@value #POSTGRES_PREFIX}, one or more {@code host[:port]} (host names of letters, digits,
     * dots, hyphens and underscores, or a bracketed IPv6 address; ports of ASCII digits, 1-65535),
     * a database name after the slash, and a URL pgJDBC itself accepts.
     *
     * @param url a JDBC URL, may be null
     * @return empty if the URL is usable, else what is wrong (never quoting the URL)
     */
    public static java.util.Optional<String> problem(String url) {
        if (url == null || !url.startsWith(POSTGRES_PREFIX)) {
            return java.util.Optional.of("must be a PostgreSQL JDBC URL (" + POSTGRES_PREFIX + "...)");
        }
        if (url.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isISOControl(cp))) {
            return java.util.Optional.of("contains white space or control characters (encode them as %XX)");
        }
        String rest = url.substring(POSTGRES_PREFIX.length());
        int slash = rest.indexOf('/');
        int query = rest.indexOf('?');
        if (slash < 0 || (query >= 0 && query < slash)) {
            return java.util.Optional.of("names no database (" + POSTGRES_PREFIX + "host:port/database)");
        }
        String hosts = rest.substring(0, slash);
        int at = hosts.lastIndexOf('@');
        if (at >= 0) {
            hosts = hosts.substring(at + 1);
        }
        if (hosts.isEmpty()) {
            return java.util.Optional.of("names no host (" + POSTGRES_PREFIX + "host:port/database)");
        }
        for (String hostPort : hosts.split(",", -1)) {
            Matcher m = HOST_PORT.matcher(hostPort);
            if (!m.matches()) {
                return java.util.Optional.of("host '" + (hostPort.length() > 80 ? hostPort.substring(0, 80) : hostPort)
                        + "' is not a host name, IPv4 or [IPv6] address with an optional :port");
            }
            if (m.group(2) != null) {
                long port = m.group(2).length() > 5 ? Long.MAX_VALUE : Long.parseLong(m.group(2));
                if (port < 1 || port > 65_535) {
                    return java.util.Optional.of("port " + m.group(2) + " is not between 1 and 65535");
                }
            }
        }
        String database = query < 0 ? rest.substring(slash + 1) : rest.substring(slash + 1, query);
        if (database.isEmpty()) {
            return java.util.Optional.of("names no database (" + POSTGRES_PREFIX + "host:port/database)");
        }
        if (org.postgresql.Driver.parseURL(url, new java.util.Properties()) == null) {
            return java.util.Optional.of("pgJDBC cannot parse it (check the parameters after '?')");
        }
        return java.util.Optional.empty();
    }

    /**
     * @param url a JDBC URL, may be null
     * @return true if {@code url} starts with {@value #POSTGRES_PREFIX} and names something after it
     */
    public static boolean isPostgres(String url) {
        return url != null && url.startsWith(POSTGRES_PREFIX) && url.length() > POSTGRES_PREFIX.length();
    }
}
