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
    // What mask() can take apart safely: jdbc:postgresql://[user[:secret]@]hosts[/db][?params]
    private static final Pattern WELL_FORMED =
            Pattern.compile("jdbc:postgresql://(?:[^/?#@\\s]*@)?[^/?#@\\s]*(?:/[^?#@\\s]*)?(?:\\?[^#\\s]*)?");
    private static final Pattern MAY_HOLD_SECRET = Pattern.compile("(?i).*(password|@).*", Pattern.DOTALL);

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
     * @param url a JDBC URL, may be null
     * @return true if {@code url} starts with {@value #POSTGRES_PREFIX} and names something after it
     */
    public static boolean isPostgres(String url) {
        return url != null && url.startsWith(POSTGRES_PREFIX) && url.length() > POSTGRES_PREFIX.length();
    }
}
