"""`ddas schema`: print or write the JSON Schema generated from the models."""

from __future__ import annotations

from pathlib import Path

import typer

from client.commands import exitcodes
from client.commands._console import error


def register(app: typer.Typer) -> None:
    @app.command("schema")
    def schema_cmd(
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE"
        ),
        bericht: bool = typer.Option(
            False, "--bericht", help="The API message {gegevens, paginering} instead of Uitwisselmodel."
        ),
    ) -> None:
        """Print the Uitwisselmodel v1.0 JSON Schema (2020-12) generated from the models."""
        from client.schema import bericht_schema, render, uitwisselmodel_schema

        text = render(bericht_schema() if bericht else uitwisselmodel_schema())
        if output is None or str(output) == "-":
            typer.echo(text, nl=False)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            error("ddas schema", f"cannot write {output}: {exc.strerror or exc}")
            raise typer.Exit(exitcodes.USAGE) from None
        typer.echo(f"wrote {output}", err=True)
