"""Writes of the appointment-coordination portal: send, answer, withdraw, expire, talk.

Each is atomic and audited in the same transaction; e-mail goes out on commit. The
coordination process (workflows) is told of answers when it waits for one; cases without a
running process work the same, the portal simply has no step to move.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.access import services as access
from advocacy.access.selectors import can_change
from advocacy.accounts.models import Professional, User
from advocacy.accounts.roles import Role, has_role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case
from advocacy.mail import mail_after_commit
from advocacy.reference.models import PersonCategory
from workflows import events as workflow

from .anonymity import CheckResult, summary_check
from .models import CoordinationRequest, RequestMessage

DEFAULT_EXPIRY_DAYS = 14

ERR_CANNOT_SEND = _("このケースの受任調整依頼を送る権限がありません。")
ERR_OPEN_REQUEST = _("このケースには回答待ちの依頼があります。取り下げるか回答を待ってください。")
ERR_ACCEPTED = _("このケースの依頼はすでに受任可の回答を得ています。")
ERR_NOT_CANDIDATE = _("受付中の専門職を選んでください。")
ERR_PERSONAL_DATA = _(
    "要約に個人を特定できる情報が含まれています: {kinds}。削除してから送ってください。"
)
ERR_UNKNOWN_FIELDS = _("依頼の要約にない項目は送れません: {fields}")
ERR_ALREADY_ANSWERED = _("この依頼にはすでに回答済みです。最初の回答が有効です。")
ERR_NOT_OPEN = _("この依頼は回答を受け付けていません。")
ERR_NO_REASON = _("辞退の理由を選んでください。")
ERR_CANNOT_WITHDRAW = _("取り下げられるのは回答待ちか受任可の依頼だけです。")
ERR_EMPTY_MESSAGE = _("メッセージを入力してください。")

GRANT_REASON = "受任調整依頼の承諾"


def expiry_days() -> int:
    return getattr(settings, "PORTAL_REQUEST_EXPIRY_DAYS", DEFAULT_EXPIRY_DAYS)


def _tell_flow(case: Case, *, actor: User | None) -> None:
    """Complete the case's waiting coordination step, if one waits."""
    try:
        workflow.candidate_accepted(case=case, actor=actor)
    except ValidationError:
        # No coordination process waits for this case (none started, or it is elsewhere):
        # the request stands on its own.
        pass


def _tell_worker(case: Case, *, what: str) -> None:
    """E-mail the case's worker that a request is no longer open (the step waits for them).

    Like the task reminders: the case number and what happened, nothing about the person.
    A worker who has left (deactivated) receives nothing; the supervisors are told instead.
    """
    worker = case.assigned_worker
    if worker is not None and worker.is_active and worker.email:
        recipients = [worker.email]
    else:
        supervisors = User.objects.filter(
            is_active=True,
            organisation_id=case.organisation_id,
            groups__name=Role.SUPERVISOR.value,
        )
        recipients = sorted({user.email for user in supervisors[:50] if user.email})
    if not recipients:
        return
    subject = f"[{_('受任調整')}] {case.number} {what}"
    body = "\n".join(
        [
            f"{_('ケース番号')}: {case.number}",
            f"{_('依頼')}: {what}",
            "",
            str(_("受信箱の受任調整のタスクで、次の候補者への依頼を検討してください。")),
        ]
    )
    send_mail(subject, body, None, recipients)


def _notify(professional: Professional, portal_url: str) -> None:
    # Nothing about the case: the mail leaves the system; the details wait behind the login.
    email = professional.user.email
    if not email or not professional.user.is_active:  # a closed account receives nothing
        return
    subject = str(_("[受任調整] 新しい依頼が届いています"))
    body = "\n".join(
        [
            str(_("受任調整の依頼が届いています。")),
            str(_("ポータルにログインして内容を確認し、回答してください。")),
            "",
            portal_url,
        ]
    )
    send_mail(subject, body, None, [email])


# The request's own bookkeeping; every other field a caseworker fills is the summary. Derived
# from the model, so a field added to the request is part of the summary (and checked) unless
# it is named here.
_NOT_SUMMARY = frozenset(
    {
        "case",
        "professional",
        "need",
        "status",
        "due_at",
        "answered_at",
        "decline_reason",
        "decline_note",
        "closed_at",
    }
)
SUMMARY_FIELDS = tuple(
    field.name
    for field in CoordinationRequest._meta.get_fields()
    if getattr(field, "editable", False)
    and (field.concrete or field.many_to_many)
    and not field.auto_created
    and field.name not in _NOT_SUMMARY
)
_TEXT_COLUMNS = tuple(
    field
    for field in CoordinationRequest._meta.concrete_fields
    if isinstance(field, models.CharField | models.TextField)
)


def summary_texts(summary: Mapping[str, object]) -> list[str]:
    """Every text a summary carries, whatever its field: words, codes and chosen names."""
    texts: list[str] = []
    for value in summary.values():
        items = value if isinstance(value, list | tuple | set | QuerySet) else [value]
        texts += [str(item) for item in items if item is not None]
    return texts


def _request_texts(request: CoordinationRequest) -> list[str]:
    """Every text column of the request as it will be stored, clear or encrypted."""
    return [str(getattr(request, field.attname) or "") for field in _TEXT_COLUMNS]


def request_summary_check(*, case: Case, summary: Mapping[str, object]) -> CheckResult:
    """Check every field of a summary for the case's own values (and warn on patterns)."""
    return summary_check(case=case, texts=summary_texts(summary))


def _refuse_personal(check: CheckResult) -> None:
    if check.refused:
        raise ValidationError(
            ERR_PERSONAL_DATA.format(kinds="、".join(f"「{kind}」" for kind in check.findings))
        )


@transaction.atomic
def request_send(
    *,
    actor: User,
    case: Case,
    professional: Professional,
    need: str,
    summary: Mapping[str, object],
    portal_url: str,
) -> CoordinationRequest:
    """Send an appointment-coordination request with an anonymised summary to one candidate.

    Refused (ValidationError, nothing saved) when a summary key is not a summary field, or
    when any text of the summary or of the request as built holds the case's own values.
    """
    if not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_SEND)
    if not professional.active or not has_role(professional.user, Role.PROFESSIONAL):
        raise ValidationError(ERR_NOT_CANDIDATE)
    unknown = sorted(set(summary) - set(SUMMARY_FIELDS))
    if unknown:
        # Field names only: the values may be what a check would refuse.
        raise ValidationError(ERR_UNKNOWN_FIELDS.format(fields="、".join(unknown)))
    now = timezone.now()
    categories = summary.get("categories") or []
    request = CoordinationRequest(
        case=case,
        person_id=case.person_id,
        professional=professional,
        profession=professional.profession,
        need=need,
        sent_by=actor,
        sent_at=now,
        due_at=now + datetime.timedelta(days=expiry_days()),
        **{key: value for key, value in summary.items() if key != "categories"},
    )
    # Every value given, and what will be stored (every text column, whoever set it).
    _refuse_personal(
        summary_check(case=case, texts=summary_texts(summary) + _request_texts(request))
    )
    # Lock the case row so two sends cannot both pass the checks below.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    existing = CoordinationRequest.objects.filter(case=case)
    if existing.filter(status=CoordinationRequest.Status.SENT).exists():
        raise ValidationError(ERR_OPEN_REQUEST)
    accepted = existing.filter(status=CoordinationRequest.Status.ACCEPTED)
    step = workflow.matching_step_open(case=case)
    if step is not None:
        # A guardian change coordinates again: only an acceptance in this round counts.
        accepted = accepted.filter(answered_at__gte=step.created)
    if accepted.exists():
        raise ValidationError(ERR_ACCEPTED)
    request.full_clean()
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(ERR_OPEN_REQUEST) from None
    request.categories.set(cast("Iterable[PersonCategory]", categories))
    audit_record(
        actor=actor,
        action=Action.PORTAL_REQUEST_SENT,
        obj=case,
        label=case.number,
        reason=f"request {request.pk} professional {professional.pk}",
    )
    mail_after_commit(lambda: _notify(professional, portal_url), what="portal request notice")
    return request


def _lock_open(request: CoordinationRequest) -> CoordinationRequest:
    """Lock request's row and refuse if it was answered meanwhile (the first answer stands)."""
    locked = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == CoordinationRequest.Status.SENT and locked.due_at <= timezone.now():
        raise ValidationError(ERR_NOT_OPEN)
    if locked.status in (
        CoordinationRequest.Status.ACCEPTED,
        CoordinationRequest.Status.DECLINED,
    ):
        raise ValidationError(ERR_ALREADY_ANSWERED)
    if locked.status != CoordinationRequest.Status.SENT:
        raise ValidationError(ERR_NOT_OPEN)
    return locked


def _require_addressee(actor: User, request: CoordinationRequest) -> None:
    if request.professional.user_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def request_accept(*, actor: User, request: CoordinationRequest) -> CoordinationRequest:
    """Accept the request: grant the guardian's view of the case and move the flow on."""
    _require_addressee(actor, request)
    request = _lock_open(request)
    request.status = CoordinationRequest.Status.ACCEPTED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    case = request.case
    access.grant(
        actor=None,
        case=case,
        user=actor,
        permissions=access.GUARDIAN_PERMISSIONS,
        reason=GRANT_REASON,
        check_actor=False,
    )
    audit_record(
        actor=actor,
        action=Action.PORTAL_REQUEST_ACCEPTED,
        obj=case,
        label=case.number,
        reason=f"request {request.pk}",
    )
    _tell_flow(case, actor=actor)
    return request


@transaction.atomic
def request_decline(
    *, actor: User, request: CoordinationRequest, reason: str, note: str = ""
) -> CoordinationRequest:
    """Decline the request with a reason from the list; the case's worker is told."""
    _require_addressee(actor, request)
    if not reason:
        raise ValidationError(ERR_NO_REASON)
    request = _lock_open(request)
    request.status = CoordinationRequest.Status.DECLINED
    request.answered_at = timezone.now()
    request.decline_reason = reason
    request.decline_note = note.strip()
    request.full_clean()
    request.save(update_fields=["status", "answered_at", "decline_reason", "decline_note"])
    audit_record(
        actor=actor,
        action=Action.PORTAL_REQUEST_DECLINED,
        obj=request.case,
        label=request.case.number,
        reason=f"request {request.pk} {reason}",
    )
    case = request.case
    mail_after_commit(
        lambda: _tell_worker(case, what=str(_("辞退されました"))), what="portal decline notice"
    )
    return request


def _expire(request: CoordinationRequest) -> None:
    request.status = CoordinationRequest.Status.EXPIRED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=None,
        action=Action.PORTAL_REQUEST_EXPIRED,
        obj=request.case,
        label=request.case.number,
        reason=f"request {request.pk} expired",
    )
    case = request.case
    mail_after_commit(
        lambda: _tell_worker(case, what=str(_("回答期限が過ぎました"))), what="portal expiry notice"
    )


def requests_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire every unanswered request past its due time; return how many expired."""
    now = now or timezone.now()
    expired = 0
    due = CoordinationRequest.objects.filter(
        status=CoordinationRequest.Status.SENT, due_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            # Claim the row: an answer or another sweep may have taken it meanwhile.
            request = (
                CoordinationRequest.objects.select_for_update()
                .select_related("case")
                .filter(pk=pk, status=CoordinationRequest.Status.SENT, due_at__lte=now)
                .first()
            )
            if request is None:
                continue
            _expire(request)
            expired += 1
    return expired


def request_expire_if_due(*, request: CoordinationRequest) -> bool:
    """Expire request now if it is past due (checked whenever it is opened)."""
    if request.status != CoordinationRequest.Status.SENT or request.due_at > timezone.now():
        return False
    with transaction.atomic():
        locked = (
            CoordinationRequest.objects.select_for_update()
            .select_related("case")
            .filter(pk=request.pk, status=CoordinationRequest.Status.SENT)
            .first()
        )
        if locked is not None:
            _expire(locked)
    request.refresh_from_db()
    return True


@transaction.atomic
def request_withdraw(
    *, actor: User, request: CoordinationRequest, superseded: bool = False, reason: str = ""
) -> CoordinationRequest:
    """Withdraw a request (or close it because the court appointed someone else).

    An accepted request loses the candidate's access to the case; after a pending one the
    coordination step (still open) can send the next request.
    """
    case = request.case
    if not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_SEND)
    request = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (
        CoordinationRequest.Status.SENT,
        CoordinationRequest.Status.ACCEPTED,
    ):
        raise ValidationError(ERR_CANNOT_WITHDRAW)
    was = request.status
    request.status = (
        CoordinationRequest.Status.SUPERSEDED
        if superseded
        else CoordinationRequest.Status.WITHDRAWN
    )
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    label = "superseded" if superseded else "withdrawn"
    audit_record(
        actor=actor,
        action=Action.PORTAL_REQUEST_WITHDRAWN,
        obj=case,
        label=case.number,
        reason=f"request {request.pk} {label} {reason}".strip()[:200],
    )
    if was == CoordinationRequest.Status.ACCEPTED:
        access.revoke(
            actor=actor,
            case=case,
            user=request.professional.user,
            permissions=access.GUARDIAN_PERMISSIONS,
            reason=("裁判所が別の者を選任" if superseded else "受任調整依頼の取下げ"),
            check_actor=False,
        )
    return request


@transaction.atomic
def message_post(*, actor: User, request: CoordinationRequest, body: str) -> RequestMessage:
    """Add a question or reply to the thread of request (candidate or caseworker)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(ERR_EMPTY_MESSAGE)
    from_candidate = request.professional.user_id == actor.pk
    if not from_candidate and not can_change(user=actor, case=request.case):
        raise PermissionDenied(ERR_CANNOT_SEND)
    if not from_candidate and request.status != CoordinationRequest.Status.ACCEPTED:
        # Before acceptance the thread is part of what the candidate reads anonymised.
        _refuse_personal(summary_check(case=request.case, texts=[body]))
    message = RequestMessage(
        request=request,
        person_id=request.person_id,
        author=actor,
        from_candidate=from_candidate,
        body=body,
    )
    message.full_clean()
    message.save()
    audit_record(
        actor=actor,
        action=Action.PORTAL_REQUEST_MESSAGE,
        obj=request.case,
        label=request.case.number,
        reason=f"request {request.pk} message",
    )
    return message
