"""Demo data for `agentdb demo`: a user, a few agents, a 50-node workflow, thousands of executions.

Loaded through the repositories (the same code paths the API uses), once. A
second run finds the demo user and replaces its token (tokens are stored as
hashes and cannot be shown again; the old demo token is revoked, so they do not
pile up). The demo workflow's id is derived from the demo user's id, so a run
always prints the demo's own workflow, whatever else was created since.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec

from agentdb import config
from agentdb.pool import JOBS_ROLE, database
from repositories import AgentRepository, Database, ExecutionRepository, NotFound, UserRepository, WorkflowRepository
from repositories.agents import AgentInput, ToolInput
from repositories.workflows import EdgeInput, NodeInput, WorkflowInput

DEMO_EMAIL = "demo@agentdb.local"
TOKEN_NAME = "demo"
EXECUTIONS = 2_000


@dataclass(frozen=True)
class DemoInfo:
    token: str
    workflow_id: uuid.UUID


def workflow_id_of(user_id: uuid.UUID) -> uuid.UUID:
    """The demo workflow's id: fixed for the demo user, so it is found again by id."""
    return uuid.uuid5(user_id, "agentdb demo workflow")


async def _fill(db: Database, user_id: uuid.UUID, executions_count: int) -> uuid.UUID:
    agents, workflows, executions = AgentRepository(db), WorkflowRepository(db), ExecutionRepository(db)
    made = [
        await agents.create(user_id=user_id, agent=AgentInput(
            name=name, configuration={"model": model},
            tools=[ToolInput(name=f"{name.lower()}-tool-{i}") for i in range(tools)],
        ))
        for name, model, tools in (("Planner", "gpt-4o", 10), ("Researcher", "claude-sonnet", 6), ("Writer", "llama-3", 3))
    ]
    nodes = [NodeInput(key=f"step{i}", node_type="agent" if i % 5 == 0 else "tool", name=f"Step {i}",
                       agent_id=made[i % 3].id if i % 5 == 0 else None) for i in range(50)]
    edges = [EdgeInput(source=f"step{i}", target=f"step{i + 1}") for i in range(49)]
    workflow = await workflows.create(user_id=user_id, workflow_id=workflow_id_of(user_id), workflow=WorkflowInput(
        name="Research pipeline (50 nodes)", graph_definition={"kind": "research"}, nodes=nodes, edges=edges))
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=30)

    async def one(i: int) -> None:
        execution = await executions.start(user_id=user_id, workflow_id=workflow.id, input={"run": i})
        if i < executions_count - 5:
            await executions.transition(user_id=user_id, execution_id=execution.id, to_status="running")
            await executions.transition(user_id=user_id, execution_id=execution.id,
                                        to_status="completed" if rng.random() < 0.9 else "failed")
        await executions.record_agent_execution(
            user_id=user_id, agent_id=made[i % 3].id, session_id=uuid.uuid4(), workflow_execution_id=execution.id,
            started_at=start + timedelta(minutes=20 * i), prompt_tokens=rng.randrange(100, 3000),
            completion_tokens=rng.randrange(10, 900), latency_ms=rng.randrange(100, 5000),
            cost_usd=round(rng.random() / 10, 6))

    for batch in range(0, executions_count, 20):
        await asyncio.gather(*(one(i) for i in range(batch, min(batch + 20, executions_count))))
    return workflow.id


async def load(dsn: str, *, executions: int = EXECUTIONS) -> DemoInfo:
    """Load the demo data unless present; a fresh demo token (earlier ones revoked) and the
    demo workflow's id."""
    settings = msgspec.structs.replace(config.from_env(), database_url=dsn, deadline_s=60.0)
    async with database(settings, role=JOBS_ROLE, min_size=1, max_size=1) as operators, \
            database(settings, min_size=1, max_size=4) as db:
        users = UserRepository(db)
        try:
            user = await UserRepository(operators).get_by_email(email=DEMO_EMAIL)
        except NotFound:
            user, token = await users.create(email=DEMO_EMAIL, token_name=TOKEN_NAME)
        else:
            token = await users.replace_token(user_id=user.id, name=TOKEN_NAME)
        workflow_id = workflow_id_of(user.id)
        try:
            await WorkflowRepository(db).get(user_id=user.id, workflow_id=workflow_id)
        except NotFound:
            print(f"loading demo data ({executions} executions)...", flush=True)
            await _fill(db, user.id, executions)
        return DemoInfo(token=token, workflow_id=workflow_id)


def instructions(base: str, token: str, workflow_id: uuid.UUID) -> str:
    auth = f'-H "Authorization: Bearer {token}"'
    return "\n".join([
        f"demo user: {DEMO_EMAIL}; demo workflow: {workflow_id} (50 nodes)",
        f"demo token (earlier demo tokens are revoked): {token}",
        "try:",
        f"  curl -s {auth} {base}/workflows/{workflow_id}",
        f"  curl -s {auth} '{base}/dashboard/recent-activity?limit=5'",
        f"  curl -s {auth} '{base}/executions?limit=5'",
        f"OpenAPI: {base.split('/api/')[0]}/schema",
    ])
