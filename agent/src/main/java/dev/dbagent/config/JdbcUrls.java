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
        String masked = PASSWORD_PARAM.matcher(url).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****"));
        return USER_INFO.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****@"));
    }

    /**
     * @param url a JDBC URL, may be null
     * @return true if {@code url} starts with {@value #POSTGRES_PREFIX} and names something after it
     */
    public static boolean isPostgres(String url) {
        return url != null && url.startsWith(POSTGRES_PREFIX) && url.length() > POSTGRES_PREFIX.length();
    }
}
