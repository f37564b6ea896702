"""What an audit event records that someone did, as stable numbers.

The numbers are stored and hashed: never renumber or reuse one. Each hundred is a subject
and each ten inside it an entity, so new actions fit beside their kin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.IntegerChoices):
    # 100s: authentication
    LOGIN = 101, _("ログイン")
    LOGOUT = 102, _("ログアウト")
    LOGIN_FAILED = 103, _("ログイン失敗")
    # A system administrator deleted a user's TOTP devices (a lost phone).
    SECOND_FACTOR_RESET = 104, _("二要素認証のリセット")
    # A user confirmed a new authenticator app with its first code.
    SECOND_FACTOR_ENROLLED = 105, _("二要素認証の登録")
    # A system administrator closed an account (a transfer, a retirement): no login, no
    # grant, no task from then on; and opened it again.
    USER_DEACTIVATED = 106, _("アカウントの無効化")
    USER_REACTIVATED = 107, _("アカウントの再有効化")
    # A code given while the device waits out django-otp's back-off after wrong codes: it
    # was not even checked. (A checked wrong code is LOGIN_FAILED, label "otp".)
    SECOND_FACTOR_LOCKED = 108, _("二要素認証の一時停止中の入力")

    # 200s: case records
    CASE_VIEWED = 201, _("ケース閲覧")
    CASE_CREATED = 202, _("ケース登録")
    # 203 (ケース更新) was never written and is retired.
    CASE_STAGE_CHANGED = 204, _("段階の変更")
    CASE_REASSIGNED = 205, _("担当替え")
    CASE_CLOSED = 206, _("ケース終結")
    CASE_REOPENED = 218, _("ケースの再開")
    CASE_SEARCHED = 207, _("ケース検索")
    # The controller set anew from the case's purpose (manage.py case_controllers).
    CASE_CONTROLLER_CORRECTED = 209, _("管理者の訂正")
    # A supervisor handed all of a worker's open cases and tasks over in one act (人事異動);
    # each case it moved has its own CASE_REASSIGNED event naming this one.
    STAFF_HANDOVER = 208, _("担当の一括引継ぎ")
    # A ruling's powers, recorded as words before the scheme's list of acts, matched to the
    # list (manage.py petition_acts_from_text); the event names counts, never the words.
    PETITION_POWERS_MAPPED = 216, _("付与された権限の移行")
    # 211 (本人情報閲覧) and 212 (本人情報登録) were never written and are retired: the
    # person is read with the case (201) and registered with it (202).
    PERSON_UPDATED = 213, _("本人情報更新")
    # The intake's duplicate warning named another organisation (or a case the worker may
    # not open) as holding a person of that kana and birth date: one event per person named,
    # about that person, so it is in the holder's access history. Never the values typed.
    DUPLICATE_MATCH_SHOWN = 214, _("重複の可能性の表示")
    SENSITIVE_FIELDS_READ = 221, _("機微情報の閲覧")
    EXPORTED = 231, _("データ出力")
    RECORD_CREATED = 241, _("記録の登録")
    RECORD_UPDATED = 242, _("記録の更新")
    # 一般相談: a contact that names no one, and its later link to the case it became.
    GENERAL_CONSULTATION_RECORDED = 251, _("一般相談の記録")
    GENERAL_CONSULTATION_LINKED = 252, _("一般相談とケースの結び付け")

    # 300s: access to cases
    ACCESS_GRANTED = 301, _("権限付与")
    ACCESS_REVOKED = 302, _("権限取消")
    CASE_SHARED = 303, _("他組織との共有")
    CASE_UNSHARED = 304, _("共有の終了")
    # "Not found" and "not yours" look the same to the user; both are recorded here.
    ACCESS_DENIED = 311, _("アクセス拒否")
    # A worker past the day's limit of duplicate matches shown: no other organisation was
    # looked up for them, and their supervisors were told (once a day).
    DUPLICATE_CHECK_LIMITED = 312, _("重複確認の上限到達")

    # 400s: workflow
    PROCESS_STARTED = 401, _("手続き開始")
    TASK_ASSIGNED = 411, _("タスク割当")
    TASK_COMPLETED = 412, _("タスク完了")
    TASK_REFUSED = 413, _("タスク実行拒否")

    # 500s: encryption
    DECRYPTION_FAILED = 501, _("復号失敗")
    # A batch of data keys re-wrapped under a new master key, or one person re-encrypted.
    KEY_ROTATED = 502, _("鍵の更新")
    PERSON_ERASED = 503, _("本人データの消去")

    # 600s: appointment-coordination portal
    PORTAL_REQUEST_SENT = 601, _("受任依頼の送付")
    PORTAL_REQUEST_ACCEPTED = 602, _("受任依頼の承諾")
    PORTAL_REQUEST_DECLINED = 603, _("受任依頼の辞退")
    PORTAL_REQUEST_WITHDRAWN = 604, _("受任依頼の取下げ")
    PORTAL_REQUEST_MESSAGE = 605, _("受任依頼のメッセージ")
    # No answer by the deadline: the system closes the request (not the candidate's decline).
    PORTAL_REQUEST_EXPIRED = 606, _("受任依頼の期限切れ")

    # 700s: anonymised statistics
    REPORT_VIEWED = 701, _("統計の閲覧")
    REPORT_EXPORTED = 702, _("統計の出力")
    # A supervisor released a year's report to the committee (it cannot be undone).
    REPORT_RELEASED = 703, _("統計の公表")

    # 800s: ledgers in and out (issue 16)
    # One workbook imported (or a batch of it committed): counts, never a value.
    LEDGER_IMPORTED = 801, _("台帳の取込み")
    # One case created from a ledger row, naming the row's sheet and number.
    LEDGER_CASE_IMPORTED = 802, _("台帳からのケース登録")
    # The organisation's cases written out as a ledger workbook (decrypted).
    LEDGER_EXPORTED = 803, _("台帳の出力")
    # Everything held about one person, given out on a disclosure request (開示請求).
    PERSON_RECORD_DISCLOSED = 804, _("本人情報の開示")
    # An organisation's ledger column mapping saved (no personal data in it).
    LEDGER_MAPPING_SAVED = 805, _("台帳の対応表の保存")
    # 900s: meetings (支援会議, 支援調整会議, 定例会, the committee)
    MEETING_CREATED = 901, _("会議の登録")
    # Its date, place, chair, the agenda sent, the committee's summary: never the words.
    MEETING_UPDATED = 902, _("会議の更新")
    MEETING_MEMBER_ADDED = 903, _("構成員の追加")
    MEETING_ATTENDANCE_RECORDED = 904, _("出欠の記録")
    # An outside member's pledge of secrecy (社会福祉法第106条の6) for one 支援会議.
    MEETING_PLEDGE_RECORDED = 905, _("守秘義務の誓約の記録")
    MEETING_ITEM_ADDED = 911, _("議題の追加")
    MEETING_MINUTES_RECORDED = 912, _("議事録の記録")
    # Staff read a meeting's agenda and minutes (decrypted), on screen or printed.
    MEETING_VIEWED = 913, _("会議の閲覧")
    # An outside member read a 支援会議's pack (in its window).
    MEETING_PACK_VIEWED = 921, _("会議資料の閲覧（外部構成員）")
    MEETING_FOLLOW_UP_ADDED = 931, _("会議後の対応の登録")
    # 1000s: the court's side (issue 18): reporting deadlines, 不正防止, subsidy rules, papers
    COURT_PLAN_SET = 1001, _("定期報告の月の設定")
    COURT_SUBMISSION_RECORDED = 1002, _("裁判所等への提出の記録")
    COURT_FEE_RULING_RECORDED = 1003, _("報酬付与の審判の記録")
    # A report overdue past the set days: the supervisor was given a task.
    COURT_REPORT_ESCALATED = 1004, _("報告遅延のスーパーバイザーへの通知")
    COURT_FLAG_RAISED = 1005, _("不正防止の注意の記録")
    COURT_FLAG_CLEARED = 1006, _("不正防止の注意の解消")
    COURT_FLAGS_VIEWED = 1007, _("不正防止の注意の閲覧")
    SUBSIDY_RULE_SAVED = 1008, _("利用支援事業の基準の保存")
    SUBSIDY_ASSESSED = 1009, _("利用支援事業の算定")
    # The application's kind or fiscal year was edited: its computation no longer applies.
    SUBSIDY_ASSESSMENT_VOIDED = 1012, _("利用支援事業の算定の取消し（申請の変更による）")
    # A paper filled from a case's records and handed out (Word or PDF).
    PAPER_GENERATED = 1010, _("書類の作成")
    PAPER_TEMPLATE_UPLOADED = 1011, _("書類のひな形の登録")
    # 1100s: the agency's other duties (advocacy.outreach): feedback to referrers,
    # publicity and training events, citizen guardian training, the national survey
    FEEDBACK_CONSENT_CHANGED = 1101, _("経過報告への同意の変更")
    FEEDBACK_GIVEN = 1102, _("相談者への経過報告")
    # Consent withdrawn: the open feedback of the case is cancelled with its task.
    FEEDBACK_CANCELLED = 1103, _("経過報告の取りやめ")
    # The feedback page or letter showed the referrer's name and what was told.
    FEEDBACK_VIEWED = 1104, _("経過報告の閲覧")
    OUTREACH_EVENT_RECORDED = 1111, _("広報啓発・研修の記録")
    OUTREACH_EVENT_UPDATED = 1112, _("広報啓発・研修の更新")
    TRAINING_COURSE_CREATED = 1121, _("市民後見人養成研修の開講")
    TRAINEE_ENROLLED = 1122, _("受講者の登録")
    TRAINEE_ATTENDANCE_RECORDED = 1123, _("研修の出席の記録")
    TRAINEE_COMPLETED = 1124, _("研修の修了")
    # On the register of citizen guardians, and a candidate in the roster.
    TRAINEE_REGISTERED = 1125, _("市民後見人名簿への登録")
    TRAINEE_VIEWED = 1126, _("受講者情報の閲覧")
    # The Council as a candidate for 法人後見, with its capacity.
    CORPORATE_CANDIDATE_SET = 1127, _("法人後見の受任体制の登録")
    # A trainee's data key destroyed (crypto-shredding); the row stays for the counts.
    TRAINEE_ERASED = 1128, _("受講者情報の消去")
    SURVEY_EXPORTED = 1131, _("取組状況調査の出力")
