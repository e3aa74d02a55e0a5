-- The first statement of a call made in-process for a user (a job, a script, the
-- CLI): sets app.user_id for this transaction only, so row-level security shows
-- that user's rows and no one else's. Trusted callers only: the HTTP API always
-- uses auth.authenticate instead.
SELECT set_config('app.user_id', %(user_id)s::text, TRUE) AS scope
