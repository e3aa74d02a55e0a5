-- Creates the workflow row (its id chosen by the caller, so the graph insert
-- that follows in the same pipeline can name it). Returns nothing: the pipeline
-- ends with workflows.get_with_graph.
INSERT INTO workflows (id, user_id, name, description, graph_definition)
VALUES (%(workflow_id)s, %(user_id)s, %(name)s, %(description)s, %(graph_definition)s)
