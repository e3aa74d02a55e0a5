-- Planner statistics that do not depend on ANALYZE's random sample (agentdb sql plans):
-- at the maximum target ANALYZE samples 3M rows a table, i.e. every row of the
-- PLANS dataset, so re-running the plans gives the same statistics and the same plans.
-- Session-only; run datagen.analyze after it.
SET default_statistics_target = 10000
