"""What the server commands (`ddas serve`, `ddas-mock serve`, `ddas-mock pull`) share.

Their common options, the check of them, and one mapping of bad settings to a one-line message and
exit 2, so that both CLIs word the same mistake the same way. pydantic is imported late: `--help` and
the other commands of the CLIs stay fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from client.commands._console import error
from client.commands._framework import PATH, F
from client.commands.exitcodes import USAGE

if TYPE_CHECKING:
    from pydantic import ValidationError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

# Options of the server commands, as decorators (`@host_option`); the port's default is the command's own.
host_option = click.option(
    "--host", default="127.0.0.1", help="Interface to listen on (loopback by default)."
)
config_option = click.option("--config", type=PATH, default=None, help="Configuration file (TOML or YAML).")
log_level_option = click.option(
    "--log-level", default="info", help="uvicorn log level: critical, error, warning, info, debug or trace."
)
log_format_option = click.option(
    "--log-format",
    default=None,
    help="Log lines as text or json (one object per line); default: text on a terminal, else json.",
)
tls_cert_option = click.option(
    "--tls-cert",
    type=PATH,
    default=None,
    help="Serve HTTPS with this certificate chain (PEM), with --tls-key.",
)
tls_key_option = click.option(
    "--tls-key", type=PATH, default=None, help="The private key of --tls-cert (PEM)."
)
client_ca_option = click.option(
    "--client-ca",
    type=PATH,
    default=None,
    help="Mutual TLS: require a client certificate issued by this CA (PEM); no handshake without.",
)


def port_option(default: int) -> Callable[[F], F]:
    """`--port`, 0..65535, defaulting to the command's own port."""
    return click.option("--port", type=click.IntRange(0, 65535), default=default, help="TCP port.")


def check_serve_options(*, log_level: str, config: Path | None) -> None:
    """Raise `ValueError` for an unknown `--log-level` or a `--config` file that is not there."""
    if log_level.lower() not in LOG_LEVELS:
        raise ValueError(f"--log-level {log_level!r}: use one of {', '.join(LOG_LEVELS)}")
    if config is not None and not config.is_file():
        raise ValueError(f"config file {config} not found")


def settings_problem(
    exc: ValidationError, titles: Mapping[str, str] | None = None, config: Path | None = None
) -> str:
    """A pydantic error as one line per field, without pydantic's links: the user fixes an option.

    `titles` names the model that failed as the user knows it (`{"FaultRule": "--faults"}`; a model not
    listed keeps its own name); without it every model is "settings". Settings name `config`, the file
    they may have come from.
    """
    from client.settings_files import error_message

    parts = [error_message(e) for e in exc.errors()]
    what = "settings" if titles is None else titles.get(exc.title, exc.title)
    if what == "settings" and config is not None:
        what += f" (file {config})"
    return f"invalid {what}: " + "; ".join(parts)


@contextlib.contextmanager
def usage_errors(
    command: str,
    *,
    titles: Mapping[str, str] | None = None,
    other: str | None = None,
    config: Path | None = None,
) -> Iterator[None]:
    """Bad settings, unreadable files and bad values in the block: a message on stderr and exit 2.

    `config`: the settings file of the command, named in the message about bad settings.

    With `other`, any other exception is reported too, as `other: <exception>` (e.g. an export that
    cannot be read); without it, it propagates.
    """
    from pydantic import ValidationError

    try:
        yield
    except ValidationError as exc:
        error(command, settings_problem(exc, titles, config))
        raise click.exceptions.Exit(USAGE) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        error(command, f"{where}{exc.strerror or exc}")
        raise click.exceptions.Exit(USAGE) from None
    except ValueError as exc:
        error(command, f"{exc}")
        raise click.exceptions.Exit(USAGE) from None
    except Exception as exc:
        if other is None or isinstance(exc, click.exceptions.Exit):
            raise
        error(command, f"{other}: {exc}")
        raise click.exceptions.Exit(USAGE) from None
