"""Appointment-coordination requests as lawyers, scriveners and other candidates see them."""
