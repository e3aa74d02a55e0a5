"""The README's example of an operator's own job, run as written: a script over the installed package,
its own process, DATABASE_URL and the jobs' role."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from devtools import ROOT
from repositories import AgentRepository, ExecutionRepository, UserRepository
from repositories.agents import AgentInput

SCRIPT = re.search(r"## Jobs\n.*?```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def _run(tmp_path: Path, dsn: str, email: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "README: no python block under ## Jobs"
    script = tmp_path / "weekly_failures.py"
    script.write_text(SCRIPT.group(1), encoding="utf-8")
    return subprocess.run([sys.executable, str(script), email], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env={**os.environ, "DATABASE_URL": dsn}, check=False)


async def test_the_readme_job_script_counts_a_users_failed_runs(
    tmp_path: Path, dsn: str, users: UserRepository, agents: AgentRepository, executions: ExecutionRepository,
) -> None:
    user, _ = await users.create(email="ops@example.com")
    other, _ = await users.create(email="other@example.com")
    for owner, statuses in ((user.id, ["failed", "failed", "completed"]), (other.id, ["failed"])):
        agent = await agents.create(user_id=owner, agent=AgentInput(name="a"))
        for status in statuses:
            await executions.record_agent_execution(user_id=owner, agent_id=agent.id, session_id=uuid.uuid4(),
                                                    status=status)
    done = _run(tmp_path, dsn, "ops@example.com")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ops@example.com: 2 of 3 agent runs failed\n"
    missing = _run(tmp_path, dsn, "nobody@example.com")
    assert missing.returncode != 0 and "user not found" in missing.stderr
