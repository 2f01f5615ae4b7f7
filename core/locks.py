"""Serialising writers that must not run side by side (e.g. two uploads of the same import at once)."""

from django.core.exceptions import ValidationError
from django.db import connection


def serialise(name: str) -> None:
    """Wait until no other transaction holds the lock `name`, then hold it until this transaction ends.

    Call it first thing inside `transaction.atomic()`. On PostgreSQL it is a transaction-level advisory lock, so
    the second of two concurrent imports starts after the first has committed and sees its rows (read committed).
    SQLite needs nothing: settings open every transaction IMMEDIATE, which already admits one writer at a time.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


class StaleVersionError(ValidationError):
    """A write based on an earlier version of a record than the one now stored (optimistic locking)."""
