"""Field-level encryption."""
