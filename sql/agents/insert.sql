-- Creates the agent row (id chosen by the caller so that agents.insert_tools can
-- follow in the same pipeline). Returns nothing; the pipeline ends with
-- agents.get_with_tools.
INSERT INTO agents (id, user_id, name, description, configuration)
VALUES (%(agent_id)s, %(user_id)s, %(name)s, %(description)s, %(configuration)s)
