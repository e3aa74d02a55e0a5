-- Writes an agent's tools from one JSON array (jsonb_to_recordset): any number
-- of tools in one statement. Returns how many were written.
WITH inserted AS (
    INSERT INTO agent_tools AS at (agent_id, user_id, name, position, config)
    SELECT %(agent_id)s, %(user_id)s, t.name, t.position, t.config
    FROM jsonb_to_recordset(%(tools)s) AS t (name text, position integer, config jsonb)
    RETURNING at.id
)

SELECT count(*) AS tool_count FROM inserted
