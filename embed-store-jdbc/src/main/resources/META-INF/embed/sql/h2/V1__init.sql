-- embed-store-jdbc, schema version 1, H2 2.x (one node).
--
-- ${prefix} is the table prefix (embed.store.jdbc.tablePrefix, default embed_). Print this file
-- with the prefix filled in, for a DBA to review and apply:
--   java -jar embed-store-jdbc-VERSION.jar print-sql --database h2 --prefix embed_
-- or let the library apply it at start-up with embed.store.jdbc.schema=upgrade.
--
-- Times are epoch milliseconds (BIGINT), measured on the library's clock. No column holds a
-- credential: flow D links and rate-limit buckets are keyed by the SHA-256 of their keys, and
-- the library never hands the store a token, an API key or a raw fingerprint.
-- Every statement ends with a semicolon at the end of a line.

-- Which versions of this schema are applied (each script records itself, last).
CREATE TABLE IF NOT EXISTS ${prefix}schema_version (
    version INTEGER NOT NULL,
    description CHARACTER VARYING NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT ${prefix}schema_version_pk PRIMARY KEY (version)
);

-- Sessions. data is JSON: frameAncestors, and for flow D the link's sources, knowledge entries,
-- reference queries, model, settings and limits (deleted with the session).
CREATE TABLE IF NOT EXISTS ${prefix}session (
    id CHARACTER VARYING NOT NULL,
    tenant CHARACTER VARYING NOT NULL,
    space_id CHARACTER VARYING,
    agent_id CHARACTER VARYING,
    external_user_id CHARACTER VARYING NOT NULL,
    display_name CHARACTER VARYING,
    mode CHARACTER VARYING NOT NULL,
    kind CHARACTER VARYING NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    data CHARACTER LARGE OBJECT NOT NULL,
    last_seq BIGINT DEFAULT 0 NOT NULL,
    stored_bytes BIGINT DEFAULT 0 NOT NULL,
    CONSTRAINT ${prefix}session_pk PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ${prefix}session_expires_idx ON ${prefix}session (expires_at);

-- Chat messages, in storage order (seq) within their session.
CREATE TABLE IF NOT EXISTS ${prefix}message (
    session_id CHARACTER VARYING NOT NULL,
    seq BIGINT NOT NULL,
    id CHARACTER VARYING NOT NULL,
    role CHARACTER VARYING NOT NULL,
    content CHARACTER LARGE OBJECT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT ${prefix}message_pk PRIMARY KEY (session_id, seq),
    CONSTRAINT ${prefix}message_id_uq UNIQUE (session_id, id),
    CONSTRAINT ${prefix}message_session_fk FOREIGN KEY (session_id)
        REFERENCES ${prefix}session (id) ON DELETE CASCADE
);

-- User messages awaiting the agent's reply, and who holds each (claim_id, until lease_until).
CREATE TABLE IF NOT EXISTS ${prefix}turn (
    session_id CHARACTER VARYING NOT NULL,
    seq BIGINT NOT NULL,
    message_id CHARACTER VARYING NOT NULL,
    mode CHARACTER VARYING,
    owner CHARACTER VARYING,
    claim_id CHARACTER VARYING,
    lease_until BIGINT DEFAULT 0 NOT NULL,
    CONSTRAINT ${prefix}turn_pk PRIMARY KEY (session_id, seq),
    CONSTRAINT ${prefix}turn_message_fk FOREIGN KEY (session_id, seq)
        REFERENCES ${prefix}message (session_id, seq) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ${prefix}turn_lease_idx ON ${prefix}turn (lease_until);

-- Revoked sessions (kind S) and token ids (kind T), until the latest expiry a token can have.
CREATE TABLE IF NOT EXISTS ${prefix}revocation (
    kind CHAR(1) NOT NULL,
    id CHARACTER VARYING NOT NULL,
    until_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    CONSTRAINT ${prefix}revocation_pk PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS ${prefix}revocation_until_idx ON ${prefix}revocation (until_at);
CREATE INDEX IF NOT EXISTS ${prefix}revocation_revoked_idx ON ${prefix}revocation (revoked_at);

-- Flow D links waiting to be redeemed, under the lowercase hex SHA-256 of their cache key.
-- data is JSON: the sources the token will be scoped to.
CREATE TABLE IF NOT EXISTS ${prefix}link (
    key_hash CHAR(64) NOT NULL,
    session_id CHARACTER VARYING NOT NULL,
    subject CHARACTER VARYING NOT NULL,
    data CHARACTER VARYING NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT ${prefix}link_pk PRIMARY KEY (key_hash)
);
CREATE INDEX IF NOT EXISTS ${prefix}link_expires_idx ON ${prefix}link (expires_at);
CREATE INDEX IF NOT EXISTS ${prefix}link_session_idx ON ${prefix}link (session_id);

-- Rate-limit buckets under the SHA-256 of their key; state is JSON; the row may go once every
-- bucket in it would be full again (full_at).
CREATE TABLE IF NOT EXISTS ${prefix}rate_limit (
    key_hash CHAR(64) NOT NULL,
    state CHARACTER VARYING NOT NULL,
    full_at BIGINT NOT NULL,
    CONSTRAINT ${prefix}rate_limit_pk PRIMARY KEY (key_hash)
);
CREATE INDEX IF NOT EXISTS ${prefix}rate_limit_full_idx ON ${prefix}rate_limit (full_at);

-- What changed, for the other nodes: every node reads the rows after the last id it has seen
-- (H2 has one node: the rows keep the store's design the same). Kept for ten minutes.
CREATE TABLE IF NOT EXISTS ${prefix}change (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    kind CHAR(1) NOT NULL,
    ref CHARACTER VARYING NOT NULL,
    until_at BIGINT,
    origin CHARACTER VARYING NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT ${prefix}change_pk PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ${prefix}change_created_idx ON ${prefix}change (created_at);

INSERT INTO ${prefix}schema_version (version, description) VALUES (1, 'init');
