-- A team relay's store on PostgreSQL (relay_database): version 1.
-- Created at a node's start under an advisory lock; every node shares it.

-- The stream's head: events take their sequence numbers from this one row
-- inside the transaction that stores them, so numbers are dense and in
-- commit order (a BIGSERIAL commits out of order and a reader would skip).
CREATE TABLE relay_head (
    id         integer PRIMARY KEY CHECK (id = 1),
    last_seq   bigint NOT NULL,
    -- Events at or below this were dropped by retention.
    oldest_seq bigint NOT NULL,
    -- Events received before this were dropped by retention (if any were).
    pruned_before timestamptz,
    -- Made once with the schema: an agent holding another epoch's position is reset.
    epoch      bigint NOT NULL,
    -- Counts changes to the contact book; nodes reload their in-memory book when it moves.
    contacts_rev bigint NOT NULL DEFAULT 0
);
INSERT INTO relay_head (id, last_seq, oldest_seq, pruned_before, epoch)
    VALUES (1, 0, 0, NULL, floor(random() * 9e15)::bigint + 1);

-- Every stored call event, in stream order.
CREATE TABLE relay_events (
    seq         bigint PRIMARY KEY,
    received_at timestamptz NOT NULL,
    callid      text NOT NULL,
    -- Every field in arrival order, as [[name, value], …].
    fields      jsonb NOT NULL,
    -- The event's identity (callid and its fields hashed): a PBX retry of an
    -- event already stored is answered with the stored one, not stored again.
    dedupe      text NOT NULL UNIQUE
);
CREATE INDEX relay_events_callid ON relay_events (callid);

-- Each call's record, merged from its events in the storing transaction.
CREATE TABLE relay_calls (
    callid     text PRIMARY KEY,
    -- The book's name for the caller when the call was first seen.
    contact_name text,
    record     jsonb NOT NULL,
    completed  boolean NOT NULL,
    last_seen  timestamptz NOT NULL
);

-- cmd=contact look-ups, journalled off the answer's path (no sequence: agents do not get them).
CREATE TABLE relay_lookups (
    received_at timestamptz NOT NULL,
    fields      jsonb NOT NULL
);

-- Agents of the relay and their tokens' hashes (as relay_agents in SQLite).
CREATE TABLE relay_agents (
    id           bigserial PRIMARY KEY,
    ext          text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_seen_at timestamptz
);

-- The relay nodes, each beating its heart every few seconds while it runs.
CREATE TABLE relay_nodes (
    node_id         text PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz NOT NULL DEFAULT now(),
    last_request_at timestamptz
);

-- Which agent is connected to which node right now.
CREATE TABLE relay_connections (
    node_id      text NOT NULL,
    agent_id     bigint NOT NULL,
    connected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relay_connections_agent ON relay_connections (agent_id);

-- The team's shared contact book (as contacts / contact_phones in SQLite).
CREATE TABLE relay_contacts (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    responsible text,
    crm_url     text,
    note        text
);
CREATE TABLE relay_contact_phones (
    phone_norm text PRIMARY KEY,
    contact_id bigint NOT NULL REFERENCES relay_contacts (id) ON DELETE CASCADE,
    raw        text NOT NULL,
    position   bigserial
);
