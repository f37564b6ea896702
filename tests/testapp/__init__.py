"""Models used only by the tests and benchmarks of advocacy.crypto (no migrations: syncdb)."""
