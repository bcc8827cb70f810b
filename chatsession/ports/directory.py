"""The associate directory port: who an associate id or user name is."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from chatsession.domain.associate import AssociateInfo


@runtime_checkable
class AssociateDirectory(Protocol):
    """Looks associates (SuperOffice users) up: to fill ``User``/``TransferTo``, to name targets."""

    def by_id(self, associate_id: int) -> AssociateInfo | None:
        """The associate with ``associate_id``, or ``None`` if unknown."""
        ...

    def by_user_name(self, user_name: str) -> AssociateInfo | None:
        """The associate whose user name is ``user_name`` (case-insensitive), or ``None``."""
        ...
