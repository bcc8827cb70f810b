"""An in-memory associate directory, for tests, demos and small deployments."""

from __future__ import annotations

from collections.abc import Iterable

from chatsession.domain.associate import AssociateInfo
from chatsession.domain.errors import InvalidArgumentError


class InMemoryAssociateDirectory:
    """An ``AssociateDirectory`` over a set of ``AssociateInfo``; ``add`` replaces by id."""

    def __init__(self, associates: Iterable[AssociateInfo] = ()) -> None:
        self._by_id: dict[int, AssociateInfo] = {}
        self._by_user_name: dict[str, AssociateInfo] = {}
        for associate in associates:
            self.add(associate)

    def add(self, associate: AssociateInfo) -> None:
        """Add an associate, or replace the one with its id (its old user name is dropped)."""
        if not isinstance(associate, AssociateInfo):
            raise InvalidArgumentError(
                f"associate must be an AssociateInfo, got {type(associate).__name__}"
            )
        old = self._by_id.get(associate.associate_id)
        if old is not None and old.user_name:
            self._by_user_name.pop(old.user_name.casefold(), None)
        key = associate.user_name.casefold()
        holder = self._by_user_name.get(key) if key else None
        if holder is not None and holder.associate_id != associate.associate_id:
            raise InvalidArgumentError(
                f"user name {associate.user_name!r} belongs to associate {holder.associate_id}"
            )
        self._by_id[associate.associate_id] = associate
        if key:
            self._by_user_name[key] = associate

    def by_id(self, associate_id: int) -> AssociateInfo | None:
        """The associate with ``associate_id``, or ``None``."""
        return self._by_id.get(associate_id)

    def by_user_name(self, user_name: str) -> AssociateInfo | None:
        """The associate with ``user_name`` (case-insensitive), or ``None``."""
        return self._by_user_name.get(user_name.casefold())
