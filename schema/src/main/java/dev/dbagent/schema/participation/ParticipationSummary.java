package dev.dbagent.schema.participation;

/**
 * How much citizens engage with one bill.
 *
 * @param billId     the bill
 * @param support    citizens supporting it
 * @param oppose     citizens opposing it
 * @param neutral    citizens neutral on it
 * @param comments   comments on it, replies included
 * @param petitions  petitions about it
 * @param signatures signatures on those petitions
 */
public record ParticipationSummary(long billId, long support, long oppose, long neutral, long comments,
                                   long petitions, long signatures) {
}
