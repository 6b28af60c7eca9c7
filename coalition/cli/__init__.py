"""The ``coalition`` command line (typer), split by command group."""

from coalition.cli.app import app, main

__all__ = ["app", "main"]
