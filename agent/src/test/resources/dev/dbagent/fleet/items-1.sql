--liquibase formatted sql

--changeset fleet:1-items
CREATE TABLE items (
    id bigint PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g;
--rollback DROP TABLE items;
