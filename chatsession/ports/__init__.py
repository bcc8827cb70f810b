"""Ports: what the service depends on, as typing Protocols that speak domain types only.

``clock`` (the time), ``stores`` (repositories, units of work, the outbox), ``directory``
(who an associate is), and ``errors`` (what a store raises).
"""
