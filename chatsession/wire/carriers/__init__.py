"""The nested SuperOffice carriers a ChatSessionEntity refers to."""

from chatsession.wire.carriers.associate import Associate
from chatsession.wire.carriers.contact import Contact
from chatsession.wire.carriers.person import Person
from chatsession.wire.carriers.project import Project
from chatsession.wire.carriers.sale import Sale
from chatsession.wire.carriers.ticket import Ticket

__all__ = ["Associate", "Contact", "Person", "Project", "Sale", "Ticket"]
