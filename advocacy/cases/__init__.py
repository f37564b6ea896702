"""The person (本人), the case and everything recorded about it."""
