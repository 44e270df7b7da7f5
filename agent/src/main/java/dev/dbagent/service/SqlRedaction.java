package dev.dbagent.service;

import java.util.regex.Pattern;

/**
 * Removes values from SQL text before it is logged or shown: string literals (including
 * {@code E'...'} and dollar-quoted strings), numeric literals and positional {@code $n}
 * parameters become {@code ?}; whitespace is collapsed. Stateless and thread-safe.
 */
public final class SqlRedaction {
    private static final Pattern DOLLAR_QUOTED = Pattern.compile("\\$([A-Za-z_]\\w*)?\\$.*?\\$\\1\\$", Pattern.DOTALL);
    private static final Pattern STRING = Pattern.compile("(?i)(?<![\\w])[EBXU]?&?'(?:[^']|'')*'");
    private static final Pattern POSITIONAL = Pattern.compile("\\$\\d+");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w$.])[-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?(?![\\w])");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private SqlRedaction() {}

    /**
     * @param sql SQL text, may be null
     * @return the text with every literal replaced by {@code ?}, or an empty string for null
     */
    public static String redact(String sql) {
        if (sql == null) {
            return "";
        }
        String s = DOLLAR_QUOTED.matcher(sql).replaceAll("?");
        s = STRING.matcher(s).replaceAll("?");
        s = POSITIONAL.matcher(s).replaceAll("?");
        s = NUMBER.matcher(s).replaceAll("?");
        return SPACE.matcher(s).replaceAll(" ").trim();
    }

    /**
     * @param sql SQL text, may be null
     * @param maxLength longest result, at least 4
     * @return {@link #redact(String)} shortened to {@code maxLength} characters with a trailing
     *     {@code ...} when cut
     */
    public static String redact(String sql, int maxLength) {
        String s = redact(sql);
        return s.length() <= maxLength ? s : s.substring(0, maxLength - 3) + "...";
    }
}
