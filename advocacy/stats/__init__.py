"""Anonymised statistics for the network committee and the national survey."""
