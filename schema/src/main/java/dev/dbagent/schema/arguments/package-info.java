/**
 * Argument intelligence: arguments for or against bills, the claims they make and the evidence
 * linked to each claim.
 *
 * <p>Tables {@code arguments}, {@code claims} and {@code evidence_links} (changelog
 * {@code arguments.sql}). The database keeps {@code quality_score} and {@code confidence} within
 * [0, 1] and evidence URLs to http(s), and allows one link per URL per claim (CHECK and UNIQUE
 * constraints, SQLSTATE 23514 and 23505).
 */
package dev.dbagent.schema.arguments;
