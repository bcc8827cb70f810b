"""An in-memory associate directory, for tests, demos and small deployments."""

from __future__ import annotations

from collections.abc import Iterable

from chatsession.domain.errors import InvalidArgumentError
from chatsession.wire.carriers import Associate


class InMemoryAssociateDirectory:
    """An ``AssociateDirectory`` over a fixed set of ``Associate`` carriers."""

    def __init__(self, associates: Iterable[Associate] = ()) -> None:
        self._by_id: dict[int, Associate] = {}
        self._by_user_name: dict[str, Associate] = {}
        for associate in associates:
            self.add(associate)

    def add(self, associate: Associate) -> None:
        """Add (or replace) an associate; it needs an ``associate_id``."""
        if associate.associate_id is None or associate.associate_id <= 0:
            raise InvalidArgumentError(f"an associate needs a positive id, got {associate!r}")
        self._by_id[associate.associate_id] = associate
        if associate.user_name:
            self._by_user_name[associate.user_name.casefold()] = associate

    def by_id(self, associate_id: int) -> Associate | None:
        """The associate with ``associate_id``, or ``None``."""
        return self._by_id.get(associate_id)

    def by_user_name(self, user_name: str) -> Associate | None:
        """The associate with ``user_name`` (case-insensitive), or ``None``."""
        return self._by_user_name.get(user_name.casefold())
