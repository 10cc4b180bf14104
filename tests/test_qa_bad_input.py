"""QA: bad input on every command gives a short message on stderr, the documented exit code, no traceback.

Most cases run in-process through click's CliRunner (fast); a few run the installed console scripts as
subprocesses, as a user would, to prove the same holds outside the test harness.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from client.cli import app as ddas_app
from client.commands import exitcodes
from client.wire.serving import free_port
from mock_server.cli import app as mock_app

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A directory of the usual bad inputs next to one good export and development keys."""
    from client.devtools.generate import write_export
    from client.devtools.keys import write_dev_keys

    d = tmp_path_factory.mktemp("qa-bad")
    (d / "empty.json").write_bytes(b"")
    (d / "trunc.json").write_bytes(b'{"leveringen": [')
    (d / "bin.json").write_bytes(bytes(range(256)) * 3)
    (d / "dir.json").mkdir()
    (d / "broken.json").symlink_to(d / "nowhere" / "x.json")
    os.mkfifo(d / "fifo.json")
    (d / "corrupt.sqlite").write_bytes(b"this is not a database, it is a text file\n" * 50)
    (d / "bad.toml").write_text("x = [\n", encoding="utf-8")
    (d / "junk.pem").write_text("junk\n", encoding="utf-8")
    write_export(d / "good.json", trajecten=20, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30), seed=3)
    write_dev_keys(d / "keys")
    bad_keys = d / "badkeys"
    bad_keys.mkdir()
    for f in (d / "keys").iterdir():
        (bad_keys / f.name).write_bytes(f.read_bytes())
    (bad_keys / "signing-key.pem").write_text("junk\n", encoding="utf-8")
    names = ["empty", "trunc", "bin", "dir", "broken", "fifo", "good"]
    paths = {name: d / f"{name}.json" for name in names}
    paths |= {
        "root": d,
        "keys": d / "keys",
        "badkeys": bad_keys,
        "corrupt": d / "corrupt.sqlite",
        "badtoml": d / "bad.toml",
        "junkpem": d / "junk.pem",
        "missing": d / "missing.json",
    }
    return paths


def closed_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}/v1"


def _check(result: Any, code: int, *needles: str) -> str:
    """The exit code, no traceback, no unhandled exception, and a message that names the problem."""
    text: str = result.output  # click >= 8.2: stdout and stderr, interleaved
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{text}"
    assert "Traceback" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert text.strip(), "no message at all"
    for needle in needles:
        assert needle.lower() in text.lower(), f"{needle!r} not in:\n{text}"
    return text


def ddas(*args: str | Path) -> Any:
    return CliRunner().invoke(ddas_app, [str(a) for a in args])


def mock(*args: str | Path) -> Any:
    return CliRunner().invoke(mock_app, [str(a) for a in args])


# --------------------------------------------------------------------------------------- input files

UNREADABLE = [("missing", "no such file"), ("broken", "no such file"), ("dir", "directory")]
NOT_JSON = ["empty", "trunc", "bin"]


@pytest.mark.parametrize(("name", "needle"), UNREADABLE)
def test_validate_unreadable_inputs(inputs: dict[str, Path], name: str, needle: str) -> None:
    _check(ddas("validate", inputs[name]), exitcodes.USAGE, inputs[name].name, needle)


@pytest.mark.parametrize("name", NOT_JSON)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_not_json_is_a_content_error(inputs: dict[str, Path], name: str, fmt: str) -> None:
    _check(ddas("validate", inputs[name], "--format", fmt), exitcodes.CONTENT_ERROR, "R-")


@pytest.mark.parametrize(("name", "needle"), [("missing", "no such file"), ("broken", "no such file")])
@pytest.mark.parametrize("command", ["plan", "split"])
def test_plan_and_split_unreadable_inputs(
    inputs: dict[str, Path], tmp_path: Path, command: str, name: str, needle: str
) -> None:
    extra = ["-o", str(tmp_path / "out")] if command == "split" else []
    _check(ddas(command, inputs[name], "--period", "2025H1", *extra), exitcodes.USAGE, name, needle)


@pytest.mark.parametrize("name", NOT_JSON)
@pytest.mark.parametrize("command", ["plan", "split"])
def test_plan_and_split_not_json(inputs: dict[str, Path], tmp_path: Path, command: str, name: str) -> None:
    extra = ["-o", str(tmp_path / "out")] if command == "split" else []
    _check(
        ddas(command, inputs[name], "--period", "2025H1", *extra),
        exitcodes.CONTENT_ERROR,
        name,
        "ddas validate",
    )


@pytest.mark.parametrize(
    ("name", "code", "needle"),
    [
        ("missing", exitcodes.USAGE, "no such file"),
        ("broken", exitcodes.USAGE, "no such file"),
        ("dir", exitcodes.USAGE, "directory"),
        ("fifo", exitcodes.USAGE, "not a regular file"),
        # an export that is not JSON is a content error (1), like `plan` and `validate` say
        ("empty", exitcodes.CONTENT_ERROR, "ddas validate"),
        ("trunc", exitcodes.CONTENT_ERROR, "ddas validate"),
        ("bin", exitcodes.CONTENT_ERROR, "ddas validate"),
    ],
)
def test_push_dry_run_bad_exports(
    inputs: dict[str, Path], tmp_path: Path, name: str, code: int, needle: str
) -> None:
    result = ddas("push", inputs[name], "--period", "2025H1", "--dry-run", "--journal", tmp_path / "j.sqlite")
    _check(result, code, inputs[name].name, needle)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("missing", "no such file"),
        ("dir", "no export files"),
        ("fifo", "not a regular file"),
        ("empty", "cannot be read"),
        ("trunc", "not valid JSON"),
        ("bin", "cannot be read"),
    ],
)
def test_serve_bad_data_fails_before_listening(inputs: dict[str, Path], name: str, needle: str) -> None:
    result = ddas("serve", "--data", inputs[name], "--dev", inputs["keys"], "--port", str(free_port()))
    text = _check(result, exitcodes.USAGE, needle)
    assert "provider at" not in text  # it did not announce a server it cannot run


# --------------------------------------------------------------------------------------- option values


@pytest.mark.parametrize("period", ["2026H3", "2026-13-01", "H1", "2026h0"])
def test_bad_periods(inputs: dict[str, Path], tmp_path: Path, period: str) -> None:
    good = inputs["good"]
    _check(ddas("plan", good, "--period", period), exitcodes.USAGE, "period")
    _check(ddas("split", good, "-o", tmp_path / "o", "--period", period), exitcodes.USAGE, "period")
    _check(ddas("push", good, "--period", period, "--dry-run", "--journal", tmp_path / "j"), exitcodes.USAGE)
    _check(
        mock("pull", closed_url(), "--dev", inputs["keys"], "--period", period, "--no-store"), exitcodes.USAGE
    )
    journal = inputs["root"] / "status-journal.sqlite"
    from client.delivery.journal import Journal

    Journal(journal).close()
    _check(ddas("status", "--offline", "--period", period, "--journal", journal), exitcodes.USAGE, "period")
    withdraw = ddas(
        "withdraw", "--period", period, "--organisation", "gm:GM0518", "--dev", inputs["keys"],
        "--base-url", closed_url(), "--journal", journal,
    )  # fmt: skip
    _check(withdraw, exitcodes.USAGE, "period")


def test_bad_period_ranges_and_formats(inputs: dict[str, Path], tmp_path: Path) -> None:
    good = inputs["good"]
    _check(ddas("plan", good, "--periods", "2026H2..2025H1"), exitcodes.USAGE, "backwards")
    _check(ddas("plan", good, "--period", "2025H1", "--format", "xml"), exitcodes.USAGE, "text or json")
    _check(ddas("validate", good, "--format", "xml"), exitcodes.USAGE, "text or json")
    _check(
        ddas("push", good, "--period", "2025H1", "--format", "yaml", "--dry-run"),
        exitcodes.USAGE,
        "text or json",
    )
    _check(ddas("status", "--offline", "--format", "yaml", "--journal", tmp_path / "j"), exitcodes.USAGE)
    _check(
        ddas("split", good, "-o", tmp_path / "o", "--aanleverdatum", "yesterday"),
        exitcodes.USAGE,
        "date-time",
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--from", "2026-13-01"], "not a date"),
        (["--to", "2025-02-30"], "not a date"),
        (["--from", "2025-06-01", "--to", "2025-01-01"], "reversed"),
        (["--variant", "foo"], "--variant"),
        (["--defects", "R-NOPE"], "R-NOPE"),
        (["--trajecten", "-5"], "--trajecten"),
        (["--organisaties", "0"], "--organisaties"),
    ],
)
def test_generate_bad_options(tmp_path: Path, args: list[str], needle: str) -> None:
    out = tmp_path / "x.json"
    _check(ddas("generate", *args, "-o", out, "-q"), exitcodes.USAGE, needle)
    assert not out.exists()


@pytest.mark.parametrize("target", ["dir", "nodir"])
@pytest.mark.parametrize("command", [["generate", "-q", "-n", "1"], ["schema"]])
def test_unwritable_outputs(inputs: dict[str, Path], command: list[str], target: str) -> None:
    path = inputs["dir"] if target == "dir" else inputs["root"] / "nowhere" / "x.json"
    _check(ddas(*command, "-o", path), exitcodes.USAGE, "cannot write")


def test_keys_dev_on_a_file_says_not_a_directory(inputs: dict[str, Path]) -> None:
    _check(ddas("keys", "dev", "--dir", inputs["good"]), exitcodes.USAGE, "not a directory")
    _check(mock("serve", "--dev", inputs["good"], "--db", ":memory:"), exitcodes.USAGE, "not a directory")
    result = ddas("serve", "--data", inputs["good"], "--dev", inputs["good"], "--port", str(free_port()))
    _check(result, exitcodes.USAGE, "not a directory")


# --------------------------------------------------------------------------------------- receiver, keys


def test_bad_receiver_urls(inputs: dict[str, Path], tmp_path: Path) -> None:
    for url in ("notaurl", "ftp://x/v1"):
        result = ddas(
            "push", inputs["good"], "--period", "2025H1", "--dev", inputs["keys"], "--base-url", url,
            "--journal", tmp_path / "j.sqlite",
        )  # fmt: skip
        _check(result, exitcodes.USAGE, "http://")
        _check(mock("pull", url, "--dev", inputs["keys"], "--no-store"), exitcodes.USAGE, "URL")


def test_push_to_an_unreachable_receiver_is_not_delivered(inputs: dict[str, Path], tmp_path: Path) -> None:
    env = {"DDAS_BACKOFF_INITIAL": "0.01", "DDAS_BACKOFF_MAX": "0.02", "DDAS_CONNECT_TIMEOUT": "1"}
    result = CliRunner(env=env).invoke(
        ddas_app,
        [
            "push", str(inputs["good"]), "--period", "2025H1", "--dev", str(inputs["keys"]),
            "--base-url", closed_url(), "--journal", str(tmp_path / "j.sqlite"),
        ],
    )  # fmt: skip
    _check(result, exitcodes.NOT_DELIVERED, "cannot be reached")


def test_pull_from_an_unreachable_provider(inputs: dict[str, Path]) -> None:
    result = mock("pull", closed_url(), "--dev", inputs["keys"], "--no-store", "--max-attempts", "1")
    _check(result, exitcodes.NOT_DELIVERED, "page 1")


def test_missing_and_unreadable_keys(inputs: dict[str, Path], tmp_path: Path) -> None:
    common = ["--period", "2025H1", "--base-url", closed_url(), "--journal", str(tmp_path / "j.sqlite")]
    _check(
        ddas("push", inputs["good"], *common, "--dev", tmp_path / "nokeys"), exitcodes.USAGE, "ddas keys dev"
    )
    _check(ddas("push", inputs["good"], *common), exitcodes.USAGE, "signing_key")
    _check(
        ddas("push", inputs["good"], *common, "--dev", inputs["badkeys"]), exitcodes.USAGE, "signing-key.pem"
    )
    port = str(free_port())
    _check(
        ddas("serve", "--data", inputs["good"], "--dev", inputs["badkeys"], "--port", port), exitcodes.USAGE
    )
    _check(
        mock("serve", "--dev", inputs["badkeys"], "--db", ":memory:", "--port", port), exitcodes.USAGE, "PEM"
    )
    pull = ["pull", closed_url(), "--no-store", "--token", "t"]
    keys = inputs["keys"]
    signing: list[str | Path] = [
        "--signing-key",
        keys / "signing-key.pem",
        "--signing-chain",
        keys / "signing-chain.pem",
    ]
    _check(mock(*pull, "--trust-anchor", inputs["missing"], *signing), exitcodes.USAGE, "missing.json")
    _check(mock(*pull, "--trust-anchor", inputs["junkpem"], *signing), exitcodes.USAGE, "junk.pem")
    _check(mock(*pull, "--dev", inputs["badkeys"]), exitcodes.USAGE, "signing-key.pem")


# --------------------------------------------------------------------------------------- journal, config, db


@pytest.mark.parametrize("which", ["corrupt", "dir", "fifo", "underfile"])
def test_bad_journal(inputs: dict[str, Path], which: str) -> None:
    journal = inputs["good"] / "j.sqlite" if which == "underfile" else inputs[which]
    _check(ddas("status", "--offline", "--journal", journal), exitcodes.USAGE, "journal")
    result = ddas(
        "push", inputs["good"], "--period", "2025H1", "--dev", inputs["keys"], "--base-url", closed_url(),
        "--journal", journal,
    )  # fmt: skip
    _check(result, exitcodes.USAGE, "journal")


def test_bad_and_missing_config_files(inputs: dict[str, Path], tmp_path: Path) -> None:
    _check(ddas("config", "show", "--config", inputs["badtoml"]), exitcodes.USAGE, "bad.toml")
    _check(ddas("config", "show", "--config", inputs["missing"]), exitcodes.USAGE, "no such file")
    _check(ddas("push", inputs["good"], "--config", inputs["badtoml"], "--period", "2025H1"), exitcodes.USAGE)
    _check(mock("serve", "--config", inputs["badtoml"], "--db", ":memory:"), exitcodes.USAGE)
    _check(mock("serve", "--config", inputs["missing"], "--db", ":memory:"), exitcodes.USAGE, "not found")
    port = str(free_port())
    _check(
        ddas("serve", "--data", inputs["good"], "--config", inputs["badtoml"], "--port", port),
        exitcodes.USAGE,
    )


@pytest.mark.parametrize("which", ["corrupt", "dir"])
def test_bad_mock_database(inputs: dict[str, Path], which: str) -> None:
    db = inputs[which]
    _check(mock("serve", "--db", db, "--port", str(free_port())), exitcodes.USAGE, "mock database", "--db")
    result = mock("pull", closed_url(), "--dev", inputs["keys"], "--db", db, "--max-attempts", "1")
    _check(result, exitcodes.USAGE, "mock database")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--faults", "500:2"], "--faults"),
        (["--faults", "bogus"], "unknown fault kind"),
        (["--processing-delay", "-1"], "processing_delay"),
        (["--port", "70000"], "--port"),
        (["--log-level", "loud"], "--log-level"),
    ],
)
def test_mock_serve_bad_options(args: list[str], needle: str) -> None:
    text = _check(mock("serve", "--db", ":memory:", *args), exitcodes.USAGE, needle)
    assert "errors.pydantic.dev" not in text  # no library links: the message is about the option
    assert "receiver at" not in text


@pytest.mark.parametrize(
    ("args", "needle"), [(["--port", "70000"], "--port"), (["--log-level", "loud"], "loud")]
)
def test_ddas_serve_bad_options(inputs: dict[str, Path], args: list[str], needle: str) -> None:
    _check(ddas("serve", "--data", inputs["good"], "--dev", inputs["keys"], *args), exitcodes.USAGE, needle)


def test_report_and_withdraw_against_an_unreachable_receiver(inputs: dict[str, Path]) -> None:
    env = {"DDAS_BACKOFF_INITIAL": "0.01", "DDAS_BACKOFF_MAX": "0.02", "DDAS_MAX_ATTEMPTS": "2"}
    common = ["--dev", str(inputs["keys"]), "--base-url", closed_url()]
    runner = CliRunner(env=env)
    _check(runner.invoke(ddas_app, ["report", "abc", *common]), exitcodes.NOT_DELIVERED, "cannot be reached")
    result = runner.invoke(ddas_app, ["withdraw", "--delivery", "abc", *common])
    _check(result, exitcodes.NOT_DELIVERED, "cannot be reached")


# --------------------------------------------------------------------------------------- as a user runs it


def _run(argv: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["ddas", "validate", "missing.json"], exitcodes.USAGE, "no such file"),
        (["ddas", "validate", "trunc.json"], exitcodes.CONTENT_ERROR, "truncated"),
        (["ddas", "plan", "dir.json", "--period", "2025H1"], exitcodes.USAGE, "dir.json"),
        (["ddas", "push", "bin.json", "--period", "2025H1", "--dry-run", "--journal", "j"], 1, "bin.json"),
        (["ddas", "status", "--offline", "--journal", "corrupt.sqlite"], exitcodes.USAGE, "not a database"),
        (["ddas-mock", "serve", "--db", "corrupt.sqlite", "--port", "0"], exitcodes.USAGE, "not a database"),
        (["ddas-mock", "serve", "--db", ":memory:", "--port", "70000"], exitcodes.USAGE, "65535"),
        (["ddas", "serve", "--data", "trunc.json", "--dev", "keys"], exitcodes.USAGE, "trunc.json"),
    ],
)
def test_console_scripts(inputs: dict[str, Path], argv: list[str], code: int, needle: str) -> None:
    proc = _run([BIN / argv[0], *argv[1:]], inputs["root"])
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert needle.lower() in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
    if code != exitcodes.CONTENT_ERROR:  # usage problems: a short message, not a page
        assert 0 < len(proc.stderr.strip().splitlines()) <= 6, proc.stderr


def test_a_busy_port_is_a_usage_error_before_the_banner(inputs: dict[str, Path]) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = str(busy.getsockname()[1])
        mock_text = _check(mock("serve", "--db", ":memory:", "--port", port), exitcodes.USAGE, "--port")
        serve = ddas("serve", "--data", inputs["good"], "--dev", inputs["keys"], "--port", port)
        serve_text = _check(serve, exitcodes.USAGE, "cannot listen")
    assert "receiver at" not in mock_text and "provider at" not in serve_text


def test_receiver_refusals_have_the_documented_codes(inputs: dict[str, Path], tmp_path: Path) -> None:
    """A closed period is refused (1, not 3: retrying cannot help); a base URL without /v1 is usage (2)."""
    from client.devtools.generate import write_export
    from mock_server.testing import dev_settings, running_mock
    from tests.test_push_support import settings_env

    old = tmp_path / "2024H2.json"
    write_export(old, trajecten=5, date_from=date(2024, 7, 1), date_to=date(2024, 12, 31), seed=4)
    with running_mock(dev_settings(tmp_path, dev_dir=inputs["keys"])) as url:
        env = settings_env(inputs["keys"], url, tmp_path / "j.sqlite")
        common = ["--dev", str(inputs["keys"]), "--period", "2024H2"]
        closed = CliRunner(env=env).invoke(ddas_app, ["push", str(old), *common, "--base-url", url])
        _check(closed, exitcodes.CONTENT_ERROR, "not open", "refused")
        env["DDAS_JOURNAL"] = str(tmp_path / "j2.sqlite")
        root = url.removesuffix("/v1")
        wrong = CliRunner(env=env).invoke(ddas_app, ["push", str(old), *common, "--base-url", root])
        _check(wrong, exitcodes.USAGE, "base_url")


def test_log_lines_go_to_the_current_stderr_after_an_earlier_command(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """`ddas push` routes the `ddas` log to stderr; a later command in the same process (the demo, tests)
    must not write to the stream the first one saw (closed by now: "--- Logging error ---")."""
    first = ddas(
        "push", inputs["good"], "--period", "2025H1", "--dry-run", "--journal", tmp_path / "j.sqlite"
    )
    assert first.exit_code == 0, first.output
    later = mock("pull", closed_url(), "--dev", inputs["keys"], "--no-store", "--max-attempts", "2")
    text = _check(later, exitcodes.NOT_DELIVERED)
    assert "Logging error" not in text and "retry 1/1" in text, text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("command", ["validate", "plan", "push"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    result = CliRunner().invoke(ddas_app, [command, str(fifo)])
    assert result.exit_code == 2
    assert "not a regular file" in " ".join(result.output.split())  # rich may wrap the line
    assert "Traceback" not in result.output
