--liquibase formatted sql

-- Foundation: jurisdictions, citizens, officials and bills with a database-enforced status lifecycle.
-- Names are unqualified on purpose: the connection's search_path decides the target schema.

--changeset dbagent:foundation-1-jurisdictions
CREATE TABLE jurisdictions (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    code       text        NOT NULL,
    name       text        NOT NULL,
    level      text        NOT NULL,
    parent_id  bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jurisdictions_pk PRIMARY KEY (id),
    CONSTRAINT jurisdictions_code_uq UNIQUE (code),
    CONSTRAINT jurisdictions_code_format_ck CHECK (code ~ '^[a-z0-9][a-z0-9-]*$'),
    CONSTRAINT jurisdictions_name_ck CHECK (length(btrim(name)) > 0),
    CONSTRAINT jurisdictions_level_ck CHECK (level IN ('federal', 'state', 'county', 'municipal')),
    CONSTRAINT jurisdictions_parent_fk FOREIGN KEY (parent_id) REFERENCES jurisdictions (id),
    CONSTRAINT jurisdictions_not_own_parent_ck CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX jurisdictions_parent_ix ON jurisdictions (parent_id);
--rollback DROP TABLE jurisdictions;

--changeset dbagent:foundation-2-citizens
CREATE TABLE citizens (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    email           text        NOT NULL,
    display_name    text        NOT NULL,
    jurisdiction_id bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citizens_pk PRIMARY KEY (id),
    CONSTRAINT citizens_email_format_ck CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT citizens_display_name_ck CHECK (length(btrim(display_name)) BETWEEN 1 AND 100),
    CONSTRAINT citizens_jurisdiction_fk FOREIGN KEY (jurisdiction_id) REFERENCES jurisdictions (id)
);
-- One account per address whatever its capitalisation.
CREATE UNIQUE INDEX citizens_email_uq ON citizens (lower(email));
CREATE INDEX citizens_jurisdiction_ix ON citizens (jurisdiction_id);
--rollback DROP TABLE citizens;

--changeset dbagent:foundation-3-officials
CREATE TABLE officials (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    full_name       text        NOT NULL,
    office          text        NOT NULL,
    party           text,
    jurisdiction_id bigint      NOT NULL,
    term_start      date        NOT NULL,
    term_end        date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT officials_pk PRIMARY KEY (id),
    CONSTRAINT officials_full_name_ck CHECK (length(btrim(full_name)) > 0),
    CONSTRAINT officials_office_ck CHECK (length(btrim(office)) > 0),
    CONSTRAINT officials_term_ck CHECK (term_end IS NULL OR term_end >= term_start),
    CONSTRAINT officials_jurisdiction_fk FOREIGN KEY (jurisdiction_id) REFERENCES jurisdictions (id)
);
CREATE INDEX officials_jurisdiction_ix ON officials (jurisdiction_id);
--rollback DROP TABLE officials;

--changeset dbagent:foundation-4-bills
CREATE TABLE bills (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    jurisdiction_id   bigint      NOT NULL,
    number            text        NOT NULL,
    title             text        NOT NULL,
    summary           text        NOT NULL DEFAULT '',
    status            text        NOT NULL DEFAULT 'draft',
    sponsor_id        bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bills_pk PRIMARY KEY (id),
    CONSTRAINT bills_number_uq UNIQUE (jurisdiction_id, number),
    CONSTRAINT bills_number_ck CHECK (length(btrim(number)) > 0),
    CONSTRAINT bills_title_ck CHECK (length(btrim(title)) > 0),
    CONSTRAINT bills_status_ck CHECK (status IN ('draft', 'introduced', 'committee', 'floor',
                                                 'passed', 'failed', 'enacted', 'vetoed', 'withdrawn')),
    CONSTRAINT bills_jurisdiction_fk FOREIGN KEY (jurisdiction_id) REFERENCES jurisdictions (id),
    CONSTRAINT bills_sponsor_fk FOREIGN KEY (sponsor_id) REFERENCES officials (id)
);
CREATE INDEX bills_status_ix ON bills (status, id);
CREATE INDEX bills_sponsor_ix ON bills (sponsor_id);
--rollback DROP TABLE bills;

--changeset dbagent:foundation-5-bill-status-history
CREATE TABLE bill_status_history (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    bill_id     bigint      NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bill_status_history_pk PRIMARY KEY (id),
    CONSTRAINT bill_status_history_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id) ON DELETE CASCADE
);
CREATE INDEX bill_status_history_bill_ix ON bill_status_history (bill_id, id);
--rollback DROP TABLE bill_status_history;

--changeset dbagent:foundation-6-bill-status-lifecycle splitStatements:false
-- The legal moves of a bill. Kept in the function (not in a table) so that the rule cannot be
-- loosened by editing data, and so that it holds even before any reference data is loaded.
CREATE FUNCTION bill_status_transition_allowed(from_status text, to_status text)
    RETURNS boolean
    LANGUAGE sql
    IMMUTABLE
    SET search_path FROM CURRENT
AS $$
    SELECT (from_status, to_status) IN (
        ('draft',      'introduced'),
        ('draft',      'withdrawn'),
        ('introduced', 'committee'),
        ('introduced', 'withdrawn'),
        ('committee',  'floor'),
        ('committee',  'failed'),
        ('committee',  'withdrawn'),
        ('floor',      'passed'),
        ('floor',      'failed'),
        ('passed',     'enacted'),
        ('passed',     'vetoed'),
        ('vetoed',     'enacted'))
$$;

CREATE FUNCTION bill_status_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'a new bill must start as draft, not %', NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'bills_status_lifecycle';
        END IF;
        NEW.status_changed_at := now();
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT bill_status_transition_allowed(OLD.status, NEW.status) THEN
            RAISE EXCEPTION 'illegal bill status transition % -> % (bill %)', OLD.status, NEW.status, OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'bills_status_lifecycle';
        END IF;
        NEW.status_changed_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION bill_status_record()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    INSERT INTO bill_status_history (bill_id, from_status, to_status, changed_at)
    VALUES (NEW.id, OLD.status, NEW.status, NEW.status_changed_at);
    RETURN NULL;
END;
$$;

CREATE TRIGGER bills_status_guard
    BEFORE INSERT OR UPDATE OF status ON bills
    FOR EACH ROW EXECUTE FUNCTION bill_status_guard();

CREATE TRIGGER bills_status_record
    AFTER UPDATE OF status ON bills
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION bill_status_record();
--rollback DROP TRIGGER bills_status_record ON bills;
--rollback DROP TRIGGER bills_status_guard ON bills;
--rollback DROP FUNCTION bill_status_record();
--rollback DROP FUNCTION bill_status_guard();
--rollback DROP FUNCTION bill_status_transition_allowed(text, text);
