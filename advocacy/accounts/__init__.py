"""Organisations, the people who use the system, their roles, and outside professionals."""
