--liquibase formatted sql

-- Citizen participation: threaded comments, one position per citizen per bill, petitions and signatures.

--changeset dbagent:participation-1-comments
CREATE TABLE comments (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    bill_id    bigint      NOT NULL,
    citizen_id bigint      NOT NULL,
    parent_id  bigint,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT comments_pk PRIMARY KEY (id),
    -- target of the parent key below: a reply must belong to the same bill as its parent
    CONSTRAINT comments_id_bill_uq UNIQUE (id, bill_id),
    CONSTRAINT comments_body_ck CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
    CONSTRAINT comments_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE CASCADE,
    CONSTRAINT comments_citizen_fk FOREIGN KEY (citizen_id) REFERENCES citizens (id),
    CONSTRAINT comments_parent_fk FOREIGN KEY (parent_id, bill_id) REFERENCES comments (id, bill_id)
        ON DELETE CASCADE
);
CREATE INDEX comments_bill_ix ON comments (bill_id, id);
CREATE INDEX comments_parent_ix ON comments (parent_id);
CREATE INDEX comments_citizen_ix ON comments (citizen_id);
--rollback DROP TABLE comments;

--changeset dbagent:participation-2-bill-positions
CREATE TABLE bill_positions (
    bill_id    bigint      NOT NULL,
    citizen_id bigint      NOT NULL,
    stance     text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- one position per citizen per bill; changing one's mind replaces the row
    CONSTRAINT bill_positions_pk PRIMARY KEY (bill_id, citizen_id),
    CONSTRAINT bill_positions_stance_ck CHECK (stance IN ('support', 'oppose', 'neutral')),
    CONSTRAINT bill_positions_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE CASCADE,
    CONSTRAINT bill_positions_citizen_fk FOREIGN KEY (citizen_id) REFERENCES citizens (id) ON DELETE CASCADE
);
CREATE INDEX bill_positions_citizen_ix ON bill_positions (citizen_id);
--rollback DROP TABLE bill_positions;

--changeset dbagent:participation-3-petitions
CREATE TABLE petitions (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    bill_id        bigint,
    creator_id     bigint      NOT NULL,
    title          text        NOT NULL,
    body           text        NOT NULL DEFAULT '',
    signature_goal integer     NOT NULL,
    closes_at      timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT petitions_pk PRIMARY KEY (id),
    CONSTRAINT petitions_title_ck CHECK (length(btrim(title)) > 0),
    CONSTRAINT petitions_goal_ck CHECK (signature_goal > 0),
    CONSTRAINT petitions_closes_ck CHECK (closes_at IS NULL OR closes_at > created_at),
    CONSTRAINT petitions_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE SET NULL,
    CONSTRAINT petitions_creator_fk FOREIGN KEY (creator_id) REFERENCES citizens (id)
);
CREATE INDEX petitions_bill_ix ON petitions (bill_id);
--rollback DROP TABLE petitions;

--changeset dbagent:participation-4-petition-signatures
CREATE TABLE petition_signatures (
    petition_id bigint      NOT NULL,
    citizen_id  bigint      NOT NULL,
    signed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT petition_signatures_pk PRIMARY KEY (petition_id, citizen_id),
    CONSTRAINT petition_signatures_petition_fk FOREIGN KEY (petition_id) REFERENCES petitions (id) ON DELETE CASCADE,
    CONSTRAINT petition_signatures_citizen_fk FOREIGN KEY (citizen_id) REFERENCES citizens (id) ON DELETE CASCADE
);
CREATE INDEX petition_signatures_citizen_ix ON petition_signatures (citizen_id);
--rollback DROP TABLE petition_signatures;

--changeset dbagent:participation-5-petition-open splitStatements:false
-- A closed petition takes no more signatures; checked against the statement's clock.
CREATE FUNCTION petition_signature_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
DECLARE
    closes timestamptz;
BEGIN
    SELECT closes_at INTO closes FROM petitions WHERE id = NEW.petition_id;
    IF closes IS NOT NULL AND closes <= now() THEN
        RAISE EXCEPTION 'petition % closed at %, signatures are no longer accepted', NEW.petition_id, closes
            USING ERRCODE = 'check_violation', CONSTRAINT = 'petition_signatures_open';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER petition_signatures_open
    BEFORE INSERT ON petition_signatures
    FOR EACH ROW EXECUTE FUNCTION petition_signature_guard();
--rollback DROP TRIGGER petition_signatures_open ON petition_signatures;
--rollback DROP FUNCTION petition_signature_guard();
