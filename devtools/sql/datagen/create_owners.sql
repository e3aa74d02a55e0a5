-- Data generator, session only: who owns agent / workflow number n ('a' or 'w'), its
-- id, its rank among its owner's (ord, oldest first) and, for workflows, its node
-- count; the later statements join it to bind nodes, executions and memories to the
-- owner's rows (a hash join on a few thousand rows, cheaper than hashing ids again).
CREATE TEMPORARY TABLE datagen_owned (
    kind char(1) NOT NULL,
    n integer NOT NULL,
    id uuid NOT NULL,
    owner integer NOT NULL,
    ord integer NOT NULL,
    nodes integer NOT NULL,
    PRIMARY KEY (kind, owner, ord)
)
