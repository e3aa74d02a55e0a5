-- Removes all of an agent's tools before agents.insert_tools writes the new
-- list (PATCH with `tools` replaces the list). Same pipeline, same transaction.
DELETE FROM agent_tools
WHERE agent_id = %(agent_id)s AND user_id = %(user_id)s
