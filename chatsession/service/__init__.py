"""The service layer: application services that run one command per unit of work."""

from chatsession.service.agent import AgentReply, ChatAgent
from chatsession.service.errors import UnknownAssociateError

__all__ = ["AgentReply", "ChatAgent", "UnknownAssociateError"]
