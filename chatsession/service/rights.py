"""Who may do what: the rights of an authenticated associate over sessions and topics.

SuperOffice's pages say who a member of a topic is ("at least one of Can Respond,
Notifications, Listen or Manager") and that an administrator configures topics; the rest
is decided here (``docs/decisions.md``, "The REST face"):

* an associate may see, and command, a session when they are an administrator, its
  handling user, its pending transfer's target, or a member of its topic; the commands
  themselves then apply SuperOffice's rules (a stranger's RejectTransfer is the
  documented no-op, a pick-up needs ``CanRespond``);
* a topic, and its agents, are managed by an administrator or by the topic's managers
  (``CanManage``); a new topic only by an administrator;
* an associate's presence is set by themselves or an administrator.

Every refusal is a ``ForbiddenError`` that names the right missing, never a secret.
"""

from __future__ import annotations

from chatsession.domain.account import AssociateAccount
from chatsession.domain.session import ChatSession
from chatsession.ports.errors import ChatTopicAgentNotFoundError, ChatTopicNotFoundError
from chatsession.ports.stores import ChatTopicStore
from chatsession.service.errors import ForbiddenError


def is_member(store: ChatTopicStore, topic_id: int, associate_id: int) -> bool:
    """True if ``associate_id`` has any right on topic ``topic_id``."""
    try:
        return store.get_topic_agent(topic_id, associate_id).is_member
    except (ChatTopicAgentNotFoundError, ChatTopicNotFoundError):
        return False


def may_see_session(
    store: ChatTopicStore, caller: AssociateAccount, session: ChatSession
) -> bool:
    """True if ``caller`` may read and command ``session``."""
    me = caller.info.associate_id
    return (
        caller.admin
        or session.user_id == me
        or session.transfer_to == me
        or is_member(store, session.topic_id, me)
    )


def check_session(store: ChatTopicStore, caller: AssociateAccount, session: ChatSession) -> None:
    """Raise ``ForbiddenError`` unless ``caller`` may see and command ``session``."""
    if not may_see_session(store, caller, session):
        raise ForbiddenError(
            f"associate {caller.info.associate_id} is not a member of topic "
            f"{session.topic_id}, nor the session's user or transfer target"
        )


def check_topic_reader(store: ChatTopicStore, caller: AssociateAccount, topic_id: int) -> None:
    """Raise ``ForbiddenError`` unless ``caller`` is an administrator or a member of the topic."""
    if not (caller.admin or is_member(store, topic_id, caller.info.associate_id)):
        raise ForbiddenError(
            f"associate {caller.info.associate_id} is not a member of topic {topic_id}"
        )


def check_topic_manager(store: ChatTopicStore, caller: AssociateAccount, topic_id: int) -> None:
    """Raise ``ForbiddenError`` unless ``caller`` administers, or manages, topic ``topic_id``."""
    if caller.admin:
        return
    try:
        manages = store.get_topic_agent(topic_id, caller.info.associate_id).can_manage
    except (ChatTopicAgentNotFoundError, ChatTopicNotFoundError):
        manages = False
    if not manages:
        raise ForbiddenError(
            f"associate {caller.info.associate_id} may not manage topic {topic_id}: "
            "an administrator or a manager of the topic (CanManage) may"
        )


def check_admin(caller: AssociateAccount, what: str) -> None:
    """Raise ``ForbiddenError`` unless ``caller`` is an administrator; ``what`` names the act."""
    if not caller.admin:
        raise ForbiddenError(f"only an administrator may {what}")


def check_presence(caller: AssociateAccount, user_id: int) -> None:
    """Raise ``ForbiddenError`` unless ``caller`` is ``user_id`` or an administrator."""
    if not (caller.admin or caller.info.associate_id == user_id):
        raise ForbiddenError(
            f"associate {caller.info.associate_id} may not set the presence of {user_id}"
        )
