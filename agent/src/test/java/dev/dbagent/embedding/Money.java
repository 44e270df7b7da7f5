package dev.dbagent.embedding;

/**
 * An application value type that Jdbi does not know: the application registers its mapper and
 * argument on the agent's Jdbi.
 *
 * @param cents the amount in cents
 */
public record Money(long cents) {
}
