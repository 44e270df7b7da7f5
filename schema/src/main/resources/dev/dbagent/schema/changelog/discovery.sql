--liquibase formatted sql

-- Advanced discovery: tags on bills, full-text search over bills and arguments, saved searches.
-- The search vectors are generated columns, so PostgreSQL keeps them current on every write.

--changeset dbagent:discovery-1-tags
CREATE TABLE tags (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tags_pk PRIMARY KEY (id),
    CONSTRAINT tags_name_uq UNIQUE (name),
    CONSTRAINT tags_name_ck CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,49}$')
);
--rollback DROP TABLE tags;

--changeset dbagent:discovery-2-bill-tags
CREATE TABLE bill_tags (
    bill_id    bigint      NOT NULL,
    tag_id     bigint      NOT NULL,
    tagged_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bill_tags_pk PRIMARY KEY (bill_id, tag_id),
    CONSTRAINT bill_tags_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE CASCADE,
    CONSTRAINT bill_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
);
CREATE INDEX bill_tags_tag_ix ON bill_tags (tag_id, bill_id);
--rollback DROP TABLE bill_tags;

--changeset dbagent:discovery-3-bill-search
-- Title weighs more than summary or number. 'english' is resolved once, at creation.
ALTER TABLE bills ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(number, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')) STORED;
CREATE INDEX bills_search_ix ON bills USING gin (search_vector);
--rollback DROP INDEX bills_search_ix;
--rollback ALTER TABLE bills DROP COLUMN search_vector;

--changeset dbagent:discovery-4-argument-search
ALTER TABLE arguments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')) STORED;
CREATE INDEX arguments_search_ix ON arguments USING gin (search_vector);
--rollback DROP INDEX arguments_search_ix;
--rollback ALTER TABLE arguments DROP COLUMN search_vector;

--changeset dbagent:discovery-5-saved-searches
CREATE TABLE saved_searches (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    citizen_id bigint      NOT NULL,
    name       text        NOT NULL,
    query      text        NOT NULL,
    notify_on_match boolean  NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_searches_pk PRIMARY KEY (id),
    CONSTRAINT saved_searches_name_uq UNIQUE (citizen_id, name),
    CONSTRAINT saved_searches_name_ck CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT saved_searches_query_ck CHECK (length(btrim(query)) BETWEEN 1 AND 500),
    CONSTRAINT saved_searches_citizen_fk FOREIGN KEY (citizen_id) REFERENCES citizens (id) ON DELETE CASCADE
);
--rollback DROP TABLE saved_searches;
