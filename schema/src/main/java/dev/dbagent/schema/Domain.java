package dev.dbagent.schema;

import java.util.List;
import java.util.Objects;

/**
 * One domain of the reference model: its changelog, the tables it creates and its DAOs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name       short name, e.g. {@code foundation}
 * @param changelog  classpath path of the domain's Liquibase changelog (included by
 *                   {@link DomainSchema#MASTER_CHANGELOG})
 * @param tables     the tables the changelog creates, unqualified, in creation order
 * @param daoClasses the Jdbi SqlObject interfaces that read and write those tables
 */
public record Domain(String name, String changelog, List<String> tables, List<Class<?>> daoClasses) {

    /**
     * Validates and copies the components.
     *
     * @param name       short name
     * @param changelog  classpath path of the changelog
     * @param tables     tables the changelog creates (copied)
     * @param daoClasses DAO interfaces (copied)
     * @throws NullPointerException if any component is {@code null}
     */
    public Domain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(changelog, "changelog");
        tables = List.copyOf(tables);
        daoClasses = List.copyOf(daoClasses);
    }
}
