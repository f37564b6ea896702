"""Who may do what: role rules here; object permissions on cases come with the cases."""
