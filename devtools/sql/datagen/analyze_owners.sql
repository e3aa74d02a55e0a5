-- Data generator, session only: statistics of the two lookup tables, so the planner
-- hash-joins millions of generated rows to them (unanalyzed, it guessed 35 rows and
-- chose a nested loop that compared every row with every agent: 3x slower at S).
ANALYZE datagen_owned, datagen_users
