"""The associate directory port: who an associate id or user name is."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from chatsession.wire.carriers import Associate


@runtime_checkable
class AssociateDirectory(Protocol):
    """Looks associates (SuperOffice users) up, to fill ``User`` and ``TransferTo`` carriers."""

    def by_id(self, associate_id: int) -> Associate | None:
        """The associate with ``associate_id``, or ``None`` if unknown."""
        ...

    def by_user_name(self, user_name: str) -> Associate | None:
        """The associate whose ``UserName`` is ``user_name`` (case-insensitive), or ``None``."""
        ...
