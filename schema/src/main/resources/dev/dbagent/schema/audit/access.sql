--liquibase formatted sql

-- Who looked at or changed what in the civic database: written by the application, read by auditors.

--changeset dbagent:audit-1-access-log
CREATE TABLE access_log (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    subject     text        NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT access_log_pk PRIMARY KEY (id),
    CONSTRAINT access_log_action_ck CHECK (action IN ('read', 'create', 'update', 'delete'))
);
CREATE INDEX access_log_actor_ix ON access_log (actor, occurred_at);
--rollback DROP TABLE access_log;
