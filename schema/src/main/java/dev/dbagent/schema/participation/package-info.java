/**
 * Citizen participation: threaded comments, positions on bills, petitions and signatures.
 *
 * <p>Tables {@code comments}, {@code bill_positions}, {@code petitions} and
 * {@code petition_signatures} (changelog {@code participation.sql}). The database enforces: a
 * reply belongs to the same bill as its parent (composite foreign key); one position per citizen
 * per bill (primary key; {@link dev.dbagent.schema.participation.PositionDao#take} replaces it);
 * one signature per citizen per petition (primary key); no signature after a petition closes
 * (trigger, SQLSTATE 23514).
 */
package dev.dbagent.schema.participation;
