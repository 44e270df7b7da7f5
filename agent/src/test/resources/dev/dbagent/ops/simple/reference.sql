--liquibase formatted sql

--changeset alice:ref-1-countries context:reference
INSERT INTO country (code, name) VALUES ('NL', 'Netherlands'), ('DE', 'Germany')
ON CONFLICT (code) DO NOTHING;
