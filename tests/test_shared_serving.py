"""`client.commands._serving`: the option checks and error wording `ddas serve` and `ddas-mock` share."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.exceptions import Exit
from pydantic import BaseModel, ValidationError

from client.commands import exitcodes
from client.commands._serving import check_serve_options, settings_problem, usage_errors


class FaultRule(BaseModel):
    kind: int


def _validation_error() -> ValidationError:
    with pytest.raises(ValidationError) as info:
        FaultRule.model_validate({"kind": "x"})
    return info.value


def test_check_serve_options(tmp_path: Path) -> None:
    check_serve_options(log_level="DEBUG", config=None)
    with pytest.raises(ValueError, match="--log-level 'loud'"):
        check_serve_options(log_level="loud", config=None)
    with pytest.raises(ValueError, match="not found"):
        check_serve_options(log_level="info", config=tmp_path / "absent.toml")


def test_settings_problem_names_the_model_as_the_user_knows_it() -> None:
    exc = _validation_error()
    assert settings_problem(exc).startswith("invalid settings: kind: ")
    assert settings_problem(exc, {"FaultRule": "--faults"}).startswith("invalid --faults: kind: ")
    assert settings_problem(exc, {}).startswith("invalid FaultRule: ")
    assert "https://" not in settings_problem(exc)  # no pydantic links


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("bad value"), "cmd: bad value"),
        (
            FileNotFoundError(2, "No such file or directory", "x.toml"),
            "cmd: x.toml: No such file or directory",
        ),
        (RuntimeError("corrupt"), "cmd: the data cannot be read: corrupt"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    error: Exception, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Exit) as info, usage_errors("cmd", other="the data cannot be read"):
        raise error
    assert info.value.exit_code == exitcodes.USAGE
    assert capsys.readouterr().err.strip() == message


def test_usage_errors_reports_validation_and_lets_the_rest_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(Exit), usage_errors("cmd", titles={"FaultRule": "--faults"}):
        raise _validation_error()
    assert capsys.readouterr().err.startswith("cmd: invalid --faults: kind: ")
    with pytest.raises(RuntimeError), usage_errors("cmd"):
        raise RuntimeError("not a usage error")
    with pytest.raises(Exit) as info, usage_errors("cmd", other="x"):
        raise Exit(0)
    assert info.value.exit_code == 0
