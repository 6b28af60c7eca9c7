"""Errors a store raises. The CLI and the dashboard turn them into one clear line."""

__all__ = ["StoreError", "StoreUnavailable"]


class StoreError(Exception):
    """A store could not do what was asked; the message says why, for people."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (no server, bad credentials, bad path)."""
