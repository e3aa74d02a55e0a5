-- depends: 0001.extensions-and-helpers
--
-- The tables of ../shared/SCHEMA.md. Every table holding a user's data carries
-- user_id, and every child references its parent by (parent_id, user_id): the
-- composite foreign keys make it impossible, in the database itself, for one
-- user's node to point at another user's agent, or an event at another user's
-- execution. They also let the RI triggers' lookups use the user-leading indexes.

CREATE TABLE users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    name        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);
COMMENT ON COLUMN api_tokens.token_hash IS 'SHA-256 of the bearer token; the token itself is never stored.';
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

CREATE TABLE agents (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description    text NOT NULL DEFAULT '',
    configuration  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(configuration) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, user_id)
);
COMMENT ON CONSTRAINT agents_id_user_id_key ON agents IS 'Target of the (agent_id, user_id) foreign keys of child tables.';
-- agents.list: a user's agents newest first, keyset-paged.
CREATE INDEX ix_agents_user_created ON agents (user_id, created_at DESC, id DESC);

CREATE TABLE agent_tools (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id  uuid NOT NULL,
    user_id   uuid NOT NULL,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position  integer NOT NULL CHECK (position >= 0),
    config    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE,
    UNIQUE (agent_id, position)
);

CREATE TABLE agent_blocks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    block_type  text NOT NULL CHECK (length(block_type) BETWEEN 1 AND 100),
    config      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, user_id)
);
CREATE INDEX ix_agent_blocks_user ON agent_blocks (user_id, created_at DESC, id DESC);

CREATE TABLE workflows (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '',
    graph_definition  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(graph_definition) = 'object'),
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, user_id)
);
COMMENT ON COLUMN workflows.version IS 'Optimistic concurrency: bumped by every graph write; a write naming another version is refused.';
-- workflows.list: a user's workflows newest first, keyset-paged.
CREATE INDEX ix_workflows_user_created ON workflows (user_id, created_at DESC, id DESC);

CREATE TABLE workflow_nodes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id  uuid NOT NULL,
    user_id      uuid NOT NULL,
    node_key     text NOT NULL CHECK (length(node_key) BETWEEN 1 AND 100),
    node_type    text NOT NULL CHECK (length(node_type) BETWEEN 1 AND 100),
    name         text NOT NULL CHECK (length(name) <= 200),
    agent_id     uuid,
    block_id     uuid,
    config       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    position     integer NOT NULL CHECK (position >= 0),
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    -- SET NULL of the one column: deleting an agent leaves the node, unbound.
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE SET NULL (agent_id),
    FOREIGN KEY (block_id, user_id) REFERENCES agent_blocks (id, user_id) ON DELETE SET NULL (block_id),
    UNIQUE (workflow_id, node_key),
    UNIQUE (id, workflow_id)
);
COMMENT ON COLUMN workflow_nodes.node_key IS 'The client''s name for the node, unique in its workflow; edges are written against it.';
-- RI lookups when an agent or block is deleted (partial: most nodes bind neither).
CREATE INDEX ix_workflow_nodes_agent ON workflow_nodes (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX ix_workflow_nodes_block ON workflow_nodes (block_id) WHERE block_id IS NOT NULL;

CREATE TABLE workflow_edges (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id     uuid NOT NULL,
    user_id         uuid NOT NULL,
    source_node_id  uuid NOT NULL,
    target_node_id  uuid NOT NULL,
    label           text,
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    -- (node, workflow) pairs: an edge can only join two nodes of its own workflow.
    FOREIGN KEY (source_node_id, workflow_id) REFERENCES workflow_nodes (id, workflow_id) ON DELETE CASCADE,
    FOREIGN KEY (target_node_id, workflow_id) REFERENCES workflow_nodes (id, workflow_id) ON DELETE CASCADE,
    CHECK (source_node_id <> target_node_id),
    UNIQUE (workflow_id, source_node_id, target_node_id)
);
-- RI lookups when nodes are deleted (a graph replace deletes them all).
CREATE INDEX ix_workflow_edges_source ON workflow_edges (source_node_id);
CREATE INDEX ix_workflow_edges_target ON workflow_edges (target_node_id);

CREATE TABLE workflow_executions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL,
    workflow_id   uuid NOT NULL,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    error         text,
    input         jsonb,
    output        jsonb,
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    UNIQUE (id, user_id),
    CHECK ((completed_at IS NULL) = (status IN ('pending', 'running'))),
    CHECK (completed_at IS NULL OR completed_at >= started_at)
);
COMMENT ON COLUMN workflow_executions.started_at IS 'When the execution was created (queued); history is ordered by it.';

CREATE TABLE execution_events (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_execution_id  uuid NOT NULL,
    user_id                uuid NOT NULL,
    seq                    bigint NOT NULL CHECK (seq >= 1),
    event_type             text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
    payload                jsonb NOT NULL DEFAULT '{}',
    created_at             timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id) ON DELETE CASCADE,
    UNIQUE (workflow_execution_id, seq)
);
COMMENT ON COLUMN execution_events.seq IS 'Gap-free per execution; the live stream''s Last-Event-ID.';

CREATE TABLE agent_executions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                uuid NOT NULL,
    agent_id               uuid NOT NULL,
    session_id             uuid NOT NULL,
    workflow_execution_id  uuid,
    status                 text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    started_at             timestamptz NOT NULL DEFAULT now(),
    completed_at           timestamptz,
    error                  text,
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (workflow_execution_id, user_id) REFERENCES workflow_executions (id, user_id)
        ON DELETE SET NULL (workflow_execution_id),
    UNIQUE (id, user_id),
    CHECK ((completed_at IS NULL) = (status IN ('pending', 'running'))),
    CHECK (completed_at IS NULL OR completed_at >= started_at)
);
CREATE INDEX ix_agent_exec_workflow_execution ON agent_executions (workflow_execution_id)
    WHERE workflow_execution_id IS NOT NULL;

CREATE TABLE agent_execution_metrics (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_execution_id  uuid NOT NULL UNIQUE,
    user_id             uuid NOT NULL,
    prompt_tokens       integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens   integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    total_tokens        integer GENERATED ALWAYS AS (prompt_tokens + completion_tokens) STORED,
    latency_ms          integer NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
    cost_usd            numeric(14, 6) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    FOREIGN KEY (agent_execution_id, user_id) REFERENCES agent_executions (id, user_id) ON DELETE CASCADE
);
COMMENT ON TABLE agent_execution_metrics IS 'Exactly one row per agent execution, written with it.';

CREATE TABLE agent_memories (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid NOT NULL,
    agent_id          uuid NOT NULL,
    session_id        uuid NOT NULL,
    content           text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_accessed_at  timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz,
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE
);
-- A session's memories in order (the agent's context), and the RI lookup on agent delete.
CREATE INDEX ix_agent_memories_user_agent_session ON agent_memories (user_id, agent_id, session_id, created_at);
CREATE INDEX ix_agent_memories_agent ON agent_memories (agent_id);
-- The cleanup job's scan: only rows that can expire.
CREATE INDEX ix_agent_memories_expires ON agent_memories (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE agent_execution_stats (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 uuid NOT NULL,
    agent_id                uuid NOT NULL,
    bucket_date             date NOT NULL,
    pending_count           integer NOT NULL DEFAULT 0,
    running_count           integer NOT NULL DEFAULT 0,
    completed_count         integer NOT NULL DEFAULT 0,
    failed_count            integer NOT NULL DEFAULT 0,
    cancelled_count         integer NOT NULL DEFAULT 0,
    prompt_tokens_sum       bigint NOT NULL DEFAULT 0,
    completion_tokens_sum   bigint NOT NULL DEFAULT 0,
    cost_usd_sum            numeric(18, 6) NOT NULL DEFAULT 0,
    latency_ms_sum          bigint NOT NULL DEFAULT 0,
    FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE,
    UNIQUE (user_id, agent_id, bucket_date)
);
CREATE INDEX ix_agent_execution_stats_agent ON agent_execution_stats (agent_id);

CREATE TABLE workflow_execution_stats (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL,
    workflow_id        uuid NOT NULL,
    bucket_date        date NOT NULL,
    pending_count      integer NOT NULL DEFAULT 0,
    running_count      integer NOT NULL DEFAULT 0,
    completed_count    integer NOT NULL DEFAULT 0,
    failed_count       integer NOT NULL DEFAULT 0,
    cancelled_count    integer NOT NULL DEFAULT 0,
    duration_ms_sum    bigint NOT NULL DEFAULT 0,
    FOREIGN KEY (workflow_id, user_id) REFERENCES workflows (id, user_id) ON DELETE CASCADE,
    UNIQUE (user_id, workflow_id, bucket_date)
);
CREATE INDEX ix_workflow_execution_stats_workflow ON workflow_execution_stats (workflow_id);
