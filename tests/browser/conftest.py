import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# the test itself (fixtures) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# ADVOCACY_BROWSER_SERVER=gunicorn (.ci/run sets it for one run on PostgreSQL): the browser
# tests talk to gunicorn as production starts it (deploy/gunicorn.conf.py, DEBUG off, static
# files collected with hashed names through whitenoise), not to Django's threaded test server.
if os.environ.get("ADVOCACY_BROWSER_SERVER") == "gunicorn":
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    ROOT = Path(__file__).resolve().parents[2]
    # The suite hashes passwords with MD5 for speed (tests/conftest.py); gunicorn checks them
    # with the production hashers, so the users of these tests get production hashes.
    PRODUCTION_HASHERS = list(settings.PASSWORD_HASHERS)

    @pytest.fixture(autouse=True)
    def _production_password_hashes(settings):
        settings.PASSWORD_HASHERS = PRODUCTION_HASHERS

    class _Gunicorn:
        def __init__(self, url: str) -> None:
            self.url = url
            # pytest-django's live-server helper enables and disables these around each test.
            self._live_server_modified_settings = override_settings()

    def _database_url() -> str:
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        return f"sqlite:///{db['NAME']}"

    def _free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @pytest.fixture(scope="session")
    def live_server(django_db_setup, django_db_blocker, tmp_path_factory):
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env |= {
            "DJANGO_DEBUG": "0",
            # The test process's own secret and key file: its sessions and data are read there.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "ADVOCACY_KEY_FILE": str(settings.ADVOCACY_KEY_FILE),
            "DATABASE_URL": _database_url(),
            "DJANGO_HTTPS": "0",
            "DJANGO_STATIC_MANIFEST": "1",
            # No SMTP server here: mail stays in each worker's memory.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_EMAIL_HOST": "mail.invalid",
            "DJANGO_DEFAULT_FROM_EMAIL": "browser@example.invalid",
            # As tests/conftest.py does for the test process.
            "ADVOCACY_OTP_FOR_STAFF": "0",
            "ADVOCACY_BIND": f"127.0.0.1:{port}",
            "ADVOCACY_WORKERS": "2",
        }
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        log = (tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").open("w")
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn config
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    with urllib.request.urlopen(f"{url}/health/?format=json", timeout=5) as r:  # noqa: S310
                        if r.status == 200:
                            break
                except OSError:
                    if server.poll() is not None:
                        stopped = Path(log.name).read_text()
                        raise RuntimeError(f"gunicorn stopped: {stopped}") from None
                time.sleep(1)
            else:
                raise RuntimeError("gunicorn did not become healthy in 120 s")
            yield _Gunicorn(url)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
