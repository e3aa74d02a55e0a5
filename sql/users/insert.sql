-- Creates a user (id chosen by the caller so users.insert_token can follow in
-- the same pipeline). A taken email raises users_email_key (-> 422 on email).
INSERT INTO users (id, email)
VALUES (%(user_id)s, %(email)s)
RETURNING id, email, created_at
