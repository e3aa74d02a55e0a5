"""How a job shows itself on a terminal: a progress bar (rich) only when stdout is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Tick = Callable[[str], None]


@contextmanager
def bar(title: str) -> Iterator[Tick]:
    """A `tick(description)` callback: a live spinner line with elapsed time on a terminal, nothing otherwise.

    Jobs do not know their total in advance (they visit users a page at a time), so the
    line shows what is done so far, updated after every batch.
    """
    if not sys.stdout.isatty():
        yield lambda description: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[title]}[/] {task.description}"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("starting", title=title, total=None)

        def tick(description: str) -> None:
            progress.update(task, description=description)

        yield tick


def count(n: int | float) -> str:
    """A number with thousands separators."""
    return f"{n:,.0f}"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}/s" if seconds > 0 else "-"


def plain(value: Any) -> Any:
    """A report as JSON-ready builtins (for job_runs.outcome)."""
    import msgspec

    return msgspec.to_builtins(value)
