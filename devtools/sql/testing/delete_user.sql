-- Tests only: deletes a user (their tokens and data go by cascade), as an
-- operator would, to show their token stops working on the next request.
DELETE FROM users
WHERE id = %(user_id)s
