package dev.dbagent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What an application's schema is, for one database: the Liquibase changelog that builds it, the
 * contexts of its reference-data changesets (loaded by {@code init} and {@code reset}, left out
 * by {@code migrate}), and the Jdbi SQL-object interfaces whose statements {@code verify}
 * prepares against the live schema.
 *
 * <p>The agent has no schema of its own: a database without a catalogue has pools, a service and
 * health, and its schema operations say that no catalogue is configured. Give one per database
 * through {@link DatabaseAgent.Builder#catalogue(String, Catalogue)} or the keys
 * {@code dbagent.db.<name>.migrate.changelog}, {@code migrate.referenceContexts} and
 * {@code verify.daos}.
 *
 * <pre>{@code
 * Catalogue orders = Catalogue.of("db/orders/master.xml")
 *         .withReferenceContexts("reference")
 *         .withDaos(OrderDao.class, CustomerDao.class);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param changelog classpath resource of the master changelog, e.g. {@code db/changelog.xml}
 * @param referenceContexts Liquibase contexts of reference-data changesets; empty: migrate applies everything
 * @param daos SQL-object interfaces whose statements {@code verify} prepares; may be empty
 */
public record Catalogue(String changelog, List<String> referenceContexts, List<Class<?>> daos) {

    /**
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if the changelog is blank, a context is blank or contains a
     *     comma, or a DAO is not an interface
     */
    public Catalogue {
        Objects.requireNonNull(changelog, "changelog");
        if (changelog.isBlank()) {
            throw new IllegalArgumentException("changelog must name a classpath resource, but was blank");
        }
        referenceContexts = List.copyOf(referenceContexts);
        for (String c : referenceContexts) {
            if (c.isBlank() || c.contains(",")) {
                throw new IllegalArgumentException("a reference context must be one non-blank name, but was '" + c + "'");
            }
        }
        daos = List.copyOf(daos);
        for (Class<?> d : daos) {
            if (!d.isInterface()) {
                throw new IllegalArgumentException("a DAO must be a Jdbi SQL-object interface, but " + d.getName()
                        + " is a class");
            }
        }
    }

    /**
     * @param changelog classpath resource of the master changelog
     * @return a catalogue with no reference data and no DAOs
     */
    public static Catalogue of(String changelog) {
        return new Catalogue(changelog, List.of(), List.of());
    }

    /**
     * @param contexts the Liquibase contexts of reference-data changesets
     * @return a copy with these contexts
     */
    public Catalogue withReferenceContexts(String... contexts) {
        return new Catalogue(changelog, Arrays.asList(contexts), daos);
    }

    /**
     * @param daoClasses SQL-object interfaces for {@code verify}
     * @return a copy with these DAOs
     */
    public Catalogue withDaos(Class<?>... daoClasses) {
        return withDaos(Arrays.asList(daoClasses));
    }

    /**
     * @param daoClasses SQL-object interfaces for {@code verify}
     * @return a copy with these DAOs
     */
    public Catalogue withDaos(List<Class<?>> daoClasses) {
        return new Catalogue(changelog, referenceContexts, new ArrayList<>(daoClasses));
    }
}
