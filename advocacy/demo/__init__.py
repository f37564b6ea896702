"""Invented demo data, so a newcomer sees the system working at once."""
