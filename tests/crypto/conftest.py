from __future__ import annotations

from pathlib import Path

import pytest

from advocacy.crypto.keycache import key_cache
from advocacy.crypto.keyring import create_key_file
from advocacy.crypto.signals import decryption_failed


@pytest.fixture
def key_file(tmp_path, settings) -> Path:
    """Use a fresh key file of this test's own, so that changing it touches nothing else."""
    path = tmp_path / "keys" / "keys.json"
    create_key_file(path)
    settings.ADVOCACY_KEY_FILE = path
    return path


@pytest.fixture
def scope():
    """Run the test inside one data-key cache scope, as a request would."""
    with key_cache() as cache:
        yield cache


@pytest.fixture
def failures():
    """Collect the decryption_failed signals sent during the test."""
    seen = []

    def receiver(**kwargs):
        seen.append(kwargs)

    decryption_failed.connect(receiver)
    yield seen
    decryption_failed.disconnect(receiver)


def fresh(instance):
    """Return the row of instance as newly read from the database."""
    return type(instance).objects.get(pk=instance.pk)
