/**
 * The dbagent reference domain model: a civic-participation database in five domains, each with
 * a Liquibase changelog, Java records and Jdbi SqlObject DAOs. {@link dev.dbagent.schema.DomainSchema}
 * is the catalogue the agent migrates and verifies.
 *
 * <p>This module depends on Jdbi only; it never depends on the agent.
 */
package dev.dbagent.schema;
