-- Data generator, session only: per user number, their id and how many agents and
-- workflows they own (to pick the k-th of them by a number modulo that count).
CREATE TEMPORARY TABLE datagen_users (
    u integer PRIMARY KEY,
    id uuid NOT NULL,
    agents integer NOT NULL,
    workflows integer NOT NULL
)
