"""Adapters: concrete implementations of the ports (clocks, repositories)."""
