"""AssociateInfo: who an associate (a SuperOffice user) is, as the domain knows them."""

from __future__ import annotations

from dataclasses import dataclass

from chatsession.domain.values import check_flag, check_id, check_text


@dataclass(frozen=True, slots=True)
class AssociateInfo:
    """An associate's id, user name and full name; ``deleted`` ones are no transfer target.

    The associate directory port returns these; the wire format builds SuperOffice's
    ``Associate`` carrier from them.
    """

    associate_id: int
    user_name: str = ""
    full_name: str = ""
    deleted: bool = False

    def __post_init__(self) -> None:
        check_id(self.associate_id, "associate_id")
        check_text(self.user_name, "user_name")
        check_text(self.full_name, "full_name")
        check_flag(self.deleted, "deleted")
