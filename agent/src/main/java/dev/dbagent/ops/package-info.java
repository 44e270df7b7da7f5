/**
 * The canonical database operations - init, migrate, status, validate, verify, drift, reset,
 * release-lock, profile, health - behind {@link dev.dbagent.ops.Operations}, with their result
 * type {@link dev.dbagent.ops.OperationResult} and the audit trail
 * ({@link dev.dbagent.ops.AuditEvent}, {@link dev.dbagent.ops.AuditListener}). Everything else in
 * the package is implementation: Liquibase runs, the advisory migration lock, the catalogue
 * comparison and the DAO statement planner.
 */
package dev.dbagent.ops;
