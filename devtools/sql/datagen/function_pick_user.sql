-- Data generator, session only: a user number in [0, users) from a uniform u, with
-- Zipf-like skew: user k weighs about 1/(k+1)^0.9 (the integral of t^-0.9 over
-- [k + 0.5, k + 1.5), inverted), so user 0 is the heaviest (about 10%% of the rows
-- at 1,000 users) and a few users carry most of the data.
CREATE FUNCTION pg_temp.datagen_pick_user(u float8, users bigint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN least(users - 1, floor(
    power(power(0.5, 0.1) + u * (power(users + 0.5, 0.1) - power(0.5, 0.1)), 10) - 0.5))::integer
