package dev.dbagent;

import dev.dbagent.schema.DomainSchema;

/** The reference domain wired as an application would wire its own schema. */
public final class CivicCatalogue {
    private CivicCatalogue() {}

    /** @return the civic changelog, its reference-data context and its DAOs */
    public static Catalogue catalogue() {
        return Catalogue.of(DomainSchema.MASTER_CHANGELOG)
                .withReferenceContexts(DomainSchema.REFERENCE_CONTEXT)
                .withDaos(DomainSchema.daoClasses());
    }
}
