"""Mail sent once a change has committed.

A notice goes out after the transaction that made the change commits, so a rollback sends
nothing. By then the change is saved: a mail server that refuses or is down must not turn the
user's saved action into an error page (they would repeat it). The failure is logged with what
the mail was for and the error's class only — never a recipient, a subject or the server's
message, which can quote addresses — and the change stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger("advocacy.mail")


def mail_after_commit(send: Callable[[], object], *, what: str) -> None:
    """Run `send` (which sends mail) after the current transaction commits; log its failure.

    what: a fixed word for the log (``"portal request notice"``), never a value.
    """

    def run() -> None:
        try:
            send()
        except Exception as error:  # any backend's failure: the change is already saved
            logger.error("mail not sent: %s (%s)", what, type(error).__name__)

    transaction.on_commit(run)
