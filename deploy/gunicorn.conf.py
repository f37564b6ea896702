"""gunicorn's settings for `make serve` and the systemd unit, read from the environment.

ADVOCACY_BIND (127.0.0.1:8000; a unix socket as unix:/run/advocacy/gunicorn.sock),
ADVOCACY_WORKERS (2) and ADVOCACY_THREADS (4). The configuration is checked here, in the
master, before any worker starts: a mistake stops gunicorn with one line instead of a worker
that fails to boot over and over.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

try:
    import django
    from django.core.exceptions import ImproperlyConfigured

    django.setup()
except ImproperlyConfigured as exc:
    sys.exit(f"Configuration error: {exc}")

wsgi_app = "advocacy.wsgi:application"
bind = [os.environ.get("ADVOCACY_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("ADVOCACY_WORKERS", "2"))
threads = int(os.environ.get("ADVOCACY_THREADS", "4"))
# Keep it above the PDF conversion's 45 s (advocacy.pdf), which then stops LibreOffice whole.
timeout = int(os.environ.get("ADVOCACY_TIMEOUT", "60"))
# The application logs one JSON line per request without the query string (advocacy.logs);
# gunicorn's access log would write the full request line, query string included.
accesslog = None
errorlog = "-"
# gunicorn's own lines (start, stop, a worker's timeout) as JSON too.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
# No control socket: it would be made in a home folder the service may not write to, and
# systemd (reload, restart) is the way to control the service.
control_socket_disable = True
# A worker is recycled now and then, so a slow leak cannot grow for months.
max_requests = 2000
max_requests_jitter = 200
