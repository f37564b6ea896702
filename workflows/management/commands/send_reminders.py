"""Cron entry: fire due timers, then e-mail reminders of due tasks and of near terms (期間)."""

from django.core.management.base import BaseCommand
from viewflow.workflow.timers import fire_due_timers

from workflows.hooks import reminder_sweeps_run
from workflows.reminders import reminders_send, term_reminders_send


class Command(BaseCommand):
    help = "Fire due workflow timers and send due-date reminders (safe to run repeatedly)."

    def handle(self, **options):
        # Timers first: a periodic review that falls due now gets its task (and due date)
        # before the reminders are computed.
        fired = fire_due_timers()
        sent = reminders_send()
        terms = term_reminders_send()
        # Higher layers' own deadlines (the court's reports) through workflows.hooks.
        others = reminder_sweeps_run()
        self.stdout.write(
            f"{fired} timer(s) fired, {sent} reminder(s) sent, {terms} term reminder(s) sent, "
            f"{others} other reminder(s) sent"
        )
