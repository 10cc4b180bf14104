"""Configuration of the push client: sources, precedence, masking, file checks; `ddas config show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from client.cli import app
from client.delivery.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("DDAS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_and_token_url() -> None:
    settings = load_settings(base_url="http://127.0.0.1:8080/v1/")
    assert settings.base_url == "http://127.0.0.1:8080/v1"
    assert settings.effective_token_url == "http://127.0.0.1:8080/v1/oauth/token"
    assert settings.journal == Path(".ddas/journal.sqlite")
    assert settings.signing_profile == "adr"


def test_precedence_cli_over_env_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ddas.toml").write_text(
        'base_url = "http://file/v1"\nclient_id = "from-file"\nclient_secret = "s3cret"\npage_size = 100\n'
        'trust_anchors = ["a.pem"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DDAS_CLIENT_ID", "from-env")
    settings = load_settings(base_url="http://cli/v1")
    assert settings.base_url == "http://cli/v1"
    assert settings.client_id == "from-env"
    assert settings.page_size == 100
    assert settings.secret() == "s3cret"
    assert settings.trust_anchors == [Path("a.pem")]
    monkeypatch.setenv("DDAS_TRUST_ANCHORS", "x.pem,y.pem")
    assert load_settings().trust_anchors == [Path("x.pem"), Path("y.pem")]


def test_secret_from_file_and_masking(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("very-secret\n", encoding="utf-8")
    settings = load_settings(base_url="http://x/v1", client_id="c", client_secret_file=secret_file)
    assert settings.secret() == "very-secret"
    settings = load_settings(base_url="http://x/v1", client_id="c", client_secret="very-secret")
    shown = settings.shown()
    assert shown["client_secret"] == "********"
    assert "very-secret" not in json.dumps(shown)
    assert "very-secret" not in repr(settings)


def test_bad_values_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="page_size"):
        load_settings(page_size=0)
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("base_url = [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('bogus_setting = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bogus_setting"):
        load_settings(unknown)


def test_check_files_names_each_problem(tmp_path: Path) -> None:
    settings = load_settings(
        base_url="http://x/v1", signing_key=tmp_path / "nokey.pem", signing_chain=tmp_path / "nochain.pem"
    )
    with pytest.raises(ConfigError) as info:
        settings.check_files()
    assert "signing_key" in str(info.value) and "signing_chain" in str(info.value)
    with pytest.raises(ConfigError, match="signing_key and signing_chain must be set"):
        load_settings(base_url="http://x/v1").check_files()
    with pytest.raises(ConfigError, match="base_url is not set"):
        load_settings().check_receiver()


def test_dev_mode(tmp_path: Path) -> None:
    dev = tmp_path / "keys"
    dev.mkdir()
    settings = load_settings(dev=dev, base_url="http://127.0.0.1:1/v1")
    assert settings.client_id == "dev" and settings.secret() == "dev"
    assert settings.signing_key == dev / "signing-key.pem"
    assert settings.trust_anchors == [dev / "ca.pem"]
    with pytest.raises(ConfigError, match="ddas keys dev"):
        load_settings(dev=tmp_path / "absent")


def test_config_show_masks_and_exits_2_on_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDAS_CLIENT_SECRET", "hunter2-secret")
    runner = CliRunner()
    result = runner.invoke(app, ["config", "show", "--base-url", "http://h/v1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["client_secret"] == "********" and data["token_url"] == "http://h/v1/oauth/token"
    assert "hunter2" not in result.output
    monkeypatch.setenv("DDAS_SIGNING_KEY", str(tmp_path / "missing-key.pem"))
    monkeypatch.setenv("DDAS_SIGNING_CHAIN", str(tmp_path / "missing-chain.pem"))
    result = runner.invoke(app, ["config", "show", "--check"])
    assert result.exit_code == 2
    assert "missing-key.pem" in result.output and "Traceback" not in result.output
