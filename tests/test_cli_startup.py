"""`ddas` starts fast: registering the commands imports no library a command needs only when it runs.

Every `ddas` call (and `--help`) pays for what `client.cli` imports, so the heavy dependencies (httpx,
pydantic settings, cryptography, rich, the planner, the validator, the provider) load inside the command
that uses them. The check runs in a fresh interpreter: this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from client.cli import COMMAND_MODULES, app

# Modules that cost tens of milliseconds each to import, or that pull such modules in.
HEAVY = (
    "cryptography",
    "fastapi",
    "httpx",
    "jsonschema_rs",
    "orjson",
    "pydantic",
    "pydantic_settings",
    "rich",
    "uvicorn",
    "client.delivery.config",
    "client.delivery.journal",
    "client.devtools.keys",
    "client.model",
    "client.planning",
    "client.provider",
    "client.delivery.push",
    "client.validation.reader",
    "client.schema",
    "client.wire.signing",
    "client.validation",
)


# What a `ddas validate` run must never load: the CLI framework it left, and the libraries of the push
# and serve routes (pydantic alone costs ~100 ms, typer built a pydantic adapter per option).
NOT_FOR_VALIDATE = (
    "typer",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "httpx",
    "fastapi",
    "uvicorn",
    "logging",  # the push commands' log (client.commands._logging), ~4 ms
)

# Runs `ddas` with the given arguments as the console script does, and prints every module the process
# held at its exit to stderr (as the last line), whatever the exit code.
_MAIN_WITH_MODULES = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv[0] = "ddas"
from client.cli import main
main()
"""


def _imported_after(code: str) -> set[str]:
    """The module names a fresh interpreter holds after running `code`."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    modules = _imported_after("import client.cli")
    for name in COMMAND_MODULES:
        assert f"client.commands.{name}" in modules  # every command module was registered
    heavy = sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))
    assert heavy == []


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


@pytest.mark.timeout(120)
def test_validate_imports_only_what_it_uses(tmp_path: Path) -> None:
    """A whole `ddas validate` run (a valid export, text output) loads neither the old framework nor the
    libraries of the other commands; the validator itself is loaded (the probe saw the real run)."""
    from client.devtools.generate import write_export

    export = tmp_path / "export.json"
    write_export(export, trajecten=5, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30))
    done = subprocess.run(
        [sys.executable, "-c", _MAIN_WITH_MODULES, "validate", str(export)],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout
    modules = set(json.loads(done.stderr.splitlines()[-1]))
    assert "client.validation" in modules and "click" in modules
    assert _loaded(modules, NOT_FOR_VALIDATE) == []


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "generate", "schema", "plan", "split", "keys", "push", "status"):
        assert command in result.output
    for command in ("withdraw", "report", "config", "serve"):
        assert command in result.output


def test_plan_option_defaults_are_the_planners() -> None:
    from client.commands import plan as plan_command
    from client.planning import DEFAULT_PAGE_SIZE, DEFAULT_UITVRAAGDEEL

    assert plan_command.DEFAULT_PAGE_SIZE == DEFAULT_PAGE_SIZE
    assert plan_command.DEFAULT_UITVRAAGDEEL == DEFAULT_UITVRAAGDEEL
