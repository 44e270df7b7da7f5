--liquibase formatted sql

-- Reference data: a few jurisdictions, loaded by `init` (context "reference"). Idempotent: rows that
-- already exist (by code) are left alone, so running it against a populated database is harmless.

--changeset dbagent:reference-1-jurisdictions context:reference
INSERT INTO jurisdictions (code, name, level)
VALUES ('us', 'United States', 'federal')
ON CONFLICT (code) DO NOTHING;
INSERT INTO jurisdictions (code, name, level, parent_id)
SELECT v.code, v.name, 'state', p.id
FROM (VALUES ('us-ca', 'California'), ('us-ny', 'New York'), ('us-tx', 'Texas')) AS v (code, name)
CROSS JOIN jurisdictions p
WHERE p.code = 'us'
ON CONFLICT (code) DO NOTHING;
--rollback DELETE FROM jurisdictions WHERE code IN ('us-ca', 'us-ny', 'us-tx');
--rollback DELETE FROM jurisdictions WHERE code = 'us';
