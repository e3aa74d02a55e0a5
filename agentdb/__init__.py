"""agentdb: the agent-builder platform's data layer and HTTP API."""
