"""`ddas schema`: print or write the JSON Schema generated from the models."""

from __future__ import annotations

from pathlib import Path

import click

from client.commands import exitcodes
from client.commands._console import error
from client.commands._framework import PATH


def register(app: click.Group) -> None:
    @app.command("schema")
    @click.option(
        "--output", "-o", type=PATH, default=None, help="Write to FILE instead of stdout.", metavar="FILE"
    )
    @click.option(
        "--bericht", is_flag=True, help="The API message {gegevens, paginering} instead of Uitwisselmodel."
    )
    def schema_cmd(output: Path | None, bericht: bool) -> None:
        """Print the Uitwisselmodel v1.0 JSON Schema (2020-12) generated from the models."""
        from client.schema import bericht_schema, render, uitwisselmodel_schema

        text = render(bericht_schema() if bericht else uitwisselmodel_schema())
        if output is None or str(output) == "-":
            click.echo(text, nl=False)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            error("ddas schema", f"cannot write {output}: {exc.strerror or exc}")
            raise click.exceptions.Exit(exitcodes.USAGE) from None
        click.echo(f"wrote {output}", err=True)
