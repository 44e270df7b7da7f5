--liquibase formatted sql

-- Argument intelligence: arguments for or against a bill, the claims they make and the evidence
-- behind each claim, with quality and confidence scores kept in range by the database.

--changeset dbagent:arguments-1-arguments
CREATE TABLE arguments (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    bill_id       bigint       NOT NULL,
    author_id     bigint,
    stance        text         NOT NULL,
    title         text         NOT NULL,
    body          text         NOT NULL,
    quality_score numeric(4,3),
    created_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT arguments_pk PRIMARY KEY (id),
    CONSTRAINT arguments_stance_ck CHECK (stance IN ('for', 'against')),
    CONSTRAINT arguments_title_ck CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    CONSTRAINT arguments_body_ck CHECK (length(btrim(body)) > 0),
    CONSTRAINT arguments_quality_score_ck CHECK (quality_score BETWEEN 0 AND 1),
    CONSTRAINT arguments_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE CASCADE,
    CONSTRAINT arguments_author_fk FOREIGN KEY (author_id) REFERENCES citizens (id) ON DELETE SET NULL
);
CREATE INDEX arguments_bill_ix ON arguments (bill_id, id);
CREATE INDEX arguments_author_ix ON arguments (author_id);
--rollback DROP TABLE arguments;

--changeset dbagent:arguments-2-claims
CREATE TABLE claims (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    argument_id bigint       NOT NULL,
    statement   text         NOT NULL,
    confidence  numeric(4,3),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT claims_pk PRIMARY KEY (id),
    CONSTRAINT claims_statement_ck CHECK (length(btrim(statement)) > 0),
    CONSTRAINT claims_confidence_ck CHECK (confidence BETWEEN 0 AND 1),
    CONSTRAINT claims_argument_fk FOREIGN KEY (argument_id) REFERENCES arguments (id) ON DELETE CASCADE
);
CREATE INDEX claims_argument_ix ON claims (argument_id, id);
--rollback DROP TABLE claims;

--changeset dbagent:arguments-3-evidence-links
CREATE TABLE evidence_links (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    claim_id    bigint       NOT NULL,
    url         text         NOT NULL,
    source_kind text         NOT NULL,
    description text         NOT NULL DEFAULT '',
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT evidence_links_pk PRIMARY KEY (id),
    CONSTRAINT evidence_links_claim_url_uq UNIQUE (claim_id, url),
    CONSTRAINT evidence_links_url_ck CHECK (url ~ '^https?://[^[:space:]]+$'),
    CONSTRAINT evidence_links_source_kind_ck CHECK (source_kind IN ('statute', 'study', 'news', 'official_record',
        'dataset', 'other')),
    CONSTRAINT evidence_links_claim_fk FOREIGN KEY (claim_id) REFERENCES claims (id) ON DELETE CASCADE
);
--rollback DROP TABLE evidence_links;
