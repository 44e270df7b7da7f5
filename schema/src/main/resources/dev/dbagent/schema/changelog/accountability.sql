--liquibase formatted sql

-- Accountability ledger: an append-only, hash-chained record of officials' actions.
-- Each entry's hash covers the previous entry's hash and the entry's own content, so editing or
-- removing any entry (even by a superuser with triggers disabled) breaks the chain at that point,
-- which accountability_ledger_verification reveals.

--changeset dbagent:accountability-1-ledger
CREATE TABLE accountability_ledger (
    -- the chain position, assigned by the insert trigger: max(id) + 1 under a lock
    id          bigint      NOT NULL,
    official_id bigint      NOT NULL,
    bill_id     bigint,
    action      text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    prev_hash   text,
    hash        text        NOT NULL,
    CONSTRAINT accountability_ledger_pk PRIMARY KEY (id),
    CONSTRAINT accountability_ledger_action_ck CHECK (action IN ('sponsored', 'cosponsored', 'voted_yes', 'voted_no',
        'abstained', 'signed', 'vetoed', 'statement')),
    CONSTRAINT accountability_ledger_details_ck CHECK (jsonb_typeof(details) = 'object'),
    CONSTRAINT accountability_ledger_hash_ck CHECK (hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT accountability_ledger_prev_hash_ck CHECK (prev_hash IS NULL OR prev_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT accountability_ledger_official_fk FOREIGN KEY (official_id) REFERENCES officials (id),
    CONSTRAINT accountability_ledger_bill_fk FOREIGN KEY (bill_id) REFERENCES bills (id)
);
CREATE INDEX accountability_ledger_official_ix ON accountability_ledger (official_id, id);
CREATE INDEX accountability_ledger_bill_ix ON accountability_ledger (bill_id);
--rollback DROP TABLE accountability_ledger;

--changeset dbagent:accountability-2-ledger-hash splitStatements:false
-- The canonical text of an entry. Every part is rendered independently of session settings
-- (jsonb's text form is canonical, the timestamp is rendered in UTC with microseconds), so the
-- hash computed at insert time can be recomputed by any session later.
CREATE FUNCTION accountability_entry_hash(prev_hash text, id bigint, official_id bigint, bill_id bigint,
                                          action text, details jsonb, occurred_at timestamptz)
    RETURNS text
    LANGUAGE sql
    STABLE
    SET search_path FROM CURRENT
AS $$
    SELECT encode(sha256(convert_to(concat_ws('|',
        coalesce(prev_hash, ''),
        id::text,
        official_id::text,
        coalesce(bill_id::text, ''),
        action,
        details::text,
        to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')), 'hex')
$$;

CREATE FUNCTION accountability_ledger_append()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
DECLARE
    previous accountability_ledger%ROWTYPE;
BEGIN
    -- Serialise appends to this table (the key is the table's oid, so ledgers in different
    -- schemas do not block each other). The lock is held to the end of the transaction.
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    SELECT * INTO previous FROM accountability_ledger ORDER BY id DESC LIMIT 1;
    NEW.id := coalesce(previous.id, 0) + 1;
    NEW.prev_hash := previous.hash;
    NEW.recorded_at := now();
    NEW.hash := accountability_entry_hash(NEW.prev_hash, NEW.id, NEW.official_id, NEW.bill_id,
                                          NEW.action, NEW.details, NEW.occurred_at);
    RETURN NEW;
END;
$$;

CREATE FUNCTION accountability_ledger_refuse()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'accountability_ledger is append-only: TRUNCATE is not allowed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION 'accountability_ledger is append-only: % of entry % is not allowed', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation',
              HINT = 'record a new entry that corrects or supersedes it';
END;
$$;

CREATE TRIGGER accountability_ledger_append
    BEFORE INSERT ON accountability_ledger
    FOR EACH ROW EXECUTE FUNCTION accountability_ledger_append();

CREATE TRIGGER accountability_ledger_no_change
    BEFORE UPDATE OR DELETE ON accountability_ledger
    FOR EACH ROW EXECUTE FUNCTION accountability_ledger_refuse();

CREATE TRIGGER accountability_ledger_no_truncate
    BEFORE TRUNCATE ON accountability_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION accountability_ledger_refuse();
--rollback DROP TRIGGER accountability_ledger_no_truncate ON accountability_ledger;
--rollback DROP TRIGGER accountability_ledger_no_change ON accountability_ledger;
--rollback DROP TRIGGER accountability_ledger_append ON accountability_ledger;
--rollback DROP FUNCTION accountability_ledger_refuse();
--rollback DROP FUNCTION accountability_ledger_append();
--rollback DROP FUNCTION accountability_entry_hash(text, bigint, bigint, bigint, text, jsonb, timestamptz);

--changeset dbagent:accountability-3-ledger-verification
-- One row per entry: whether its stored hash matches its content (hash_ok) and whether it links to
-- the entry before it (link_ok). The first entry of a broken chain is the lowest id with either false.
CREATE VIEW accountability_ledger_verification AS
SELECT l.id,
       l.hash = accountability_entry_hash(l.prev_hash, l.id, l.official_id, l.bill_id,
                                          l.action, l.details, l.occurred_at) AS hash_ok,
       l.prev_hash IS NOT DISTINCT FROM lag(l.hash) OVER (ORDER BY l.id)
           AND l.id = coalesce(lag(l.id) OVER (ORDER BY l.id), 0) + 1 AS link_ok
FROM accountability_ledger l;
--rollback DROP VIEW accountability_ledger_verification;
