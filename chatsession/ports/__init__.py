"""Ports: the abstractions the domain and the service depend on, as typing Protocols."""

from chatsession.ports.clock import Clock

__all__ = ["Clock"]
