-- Tests only: the role a session works as, and the role it logged in as.
SELECT current_user::text AS role, session_user::text AS login
