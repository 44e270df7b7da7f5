--liquibase formatted sql

--changeset fleet:2-items-price
ALTER TABLE items ADD COLUMN price_cents bigint NOT NULL DEFAULT 0;
--rollback ALTER TABLE items DROP COLUMN price_cents;
