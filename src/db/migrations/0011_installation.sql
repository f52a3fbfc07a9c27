-- 0011_installation: the keyed fingerprint of the installation's keys
-- (sec_vault_fingerprint, the same across key rotations), written at the
-- first start: a server refuses a database made under another master key,
-- and `wlk restore` a backup of another installation.
CREATE TABLE installation (
    id BIGINT PRIMARY KEY,
    key_fingerprint BYTEA NOT NULL
);
