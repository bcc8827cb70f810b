"""``with TranslatedErrors(translate):``: a driver's error leaves as the store's, chained.

Both SQL datastores hand one out from ``errors()``; each supplies only its ``translate``
(the typed error for a driver's exception, or ``None`` to let the exception through).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType


class TranslatedErrors:
    """A context manager raising ``translate(exc)`` from ``exc`` for what it translates."""

    __slots__ = ("_translate",)

    def __init__(self, translate: Callable[[BaseException], BaseException | None]) -> None:
        """``translate``: the error to raise instead of an exception, or ``None``."""
        self._translate = translate

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        typed = self._translate(exc)
        if typed is not None:
            raise typed from exc
