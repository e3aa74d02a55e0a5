-- Data generator: the users, user<i>@example.com, created a year and i seconds before the base time.
INSERT INTO users (id, email, created_at)
SELECT u.id, 'user' || u.u || '@example.com', %(base)s::timestamptz - (%(year_s)s + u.u) * interval '1 second'
FROM datagen_users AS u
