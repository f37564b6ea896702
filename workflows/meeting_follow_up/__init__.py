"""会議後の対応 — a follow-up a meeting decided, as a task in its owner's inbox (issue 17).

``flows`` declares the one-step flow; ``start.follow_up_start`` starts it (meetings calls it
when its minutes record a follow-up). Self-contained so that the small flows of one batch
can be unified at merge.
"""
