package dev.dbagent.internal.jmx.remote;

import com.sun.net.httpserver.HttpPrincipal;

import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.Principal;
import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;

/**
 * Who is calling: the identity an audit record names.
 *
 * <p>A remote JMX call runs with the authenticated {@link Subject} of its connection (a
 * {@link JMXPrincipal}); a Jolokia request served by {@link JolokiaServer} runs with a subject
 * holding an {@link HttpPrincipal} for its basic-auth user. Stateless and thread-safe.
 */
public final class Callers {

    /** What {@link #current()} returns outside any authenticated remote call. */
    public static final String LOCAL = "local";

    private static final Method SUBJECT_CURRENT = subjectCurrentMethod();

    private Callers() {
    }

    /**
     * The caller of the management operation running on this thread.
     *
     * <p>Never blocks, never throws.
     *
     * @return {@code "jmx:<user>"} inside an authenticated remote JMX call,
     *     {@code "jolokia:<user>"} inside an authenticated Jolokia request, else {@value #LOCAL}
     *     (in-process calls, JConsole attached locally, unauthenticated connectors)
     */
    public static String current() {
        Subject subject = currentSubject();
        if (subject == null) {
            return LOCAL;
        }
        for (Principal p : subject.getPrincipals()) {
            if (p instanceof JMXPrincipal) {
                return "jmx:" + p.getName();
            }
        }
        for (Principal p : subject.getPrincipals()) {
            if (p instanceof HttpPrincipal http) {
                return "jolokia:" + http.getUsername();
            }
        }
        return subject.getPrincipals().stream().findFirst().map(Principal::getName).orElse(LOCAL);
    }

    /**
     * Java 18+ has {@code Subject.current()}, and from Java 23 it is the only way that keeps
     * working; on 17 the access-control context is where the subject lives.
     */
    @SuppressWarnings("removal")
    static Subject currentSubject() {
        if (SUBJECT_CURRENT != null) {
            try {
                return (Subject) SUBJECT_CURRENT.invoke(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        try {
            return Subject.getSubject(AccessController.getContext());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Method subjectCurrentMethod() {
        try {
            return Subject.class.getMethod("current");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
