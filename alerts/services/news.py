"""What a digest tells besides alerts (issue 18.6): to a constituent, the cells awaiting their confirmation, the
contemplated involvement of their group coming up, and the Office's answers to their reports and requests; to an
officer, the constituents' reports awaiting them. digests.py asks who has news in a window (news_recipients),
emails.py what it is (digest_news); the reads are projects.constituent_selectors'.

A digest is sent for news only when something is new in its window: an answer given, a cell newly awaiting
confirmation, contemplated involvement coming within the horizon (UPCOMING_DAYS) or a report received. Its content
then lists everything still awaiting, as of the window's end (the digests' business date)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import Role
from alerts.services.windows import DigestWindow
from projects.constituent_selectors import (
    UPCOMING_DAYS,
    cells_awaiting_confirmation,
    report_answers,
    reports_awaiting_officer,
    request_answers,
    upcoming_involvement,
)
from projects.models import Confirmation, TripartiteInvolvement


@dataclass
class DigestNews:
    constituent: bool = False
    awaiting: list = field(default_factory=list)       # cells awaiting the constituent's confirmation
    upcoming: list = field(default_factory=list)       # (due date, cell) of contemplated involvement coming up
    report_answers: list = field(default_factory=list)  # their reports the Office confirmed or answered
    request_answers: list = field(default_factory=list)  # their requests the Office answered
    reports_awaiting: list = field(default_factory=list)  # constituents' reports awaiting the officer

    def __bool__(self) -> bool:
        return any((self.awaiting, self.upcoming, self.report_answers, self.request_answers, self.reports_awaiting))


def _as_of(window: DigestWindow) -> dt.date:
    return window.end.date()


def digest_news(user, window: DigestWindow | None) -> DigestNews:
    """What the user's digest of `window` tells besides alerts (nothing for an immediate digest)."""
    if window is None:
        return DigestNews()
    if user.is_constituent:
        return DigestNews(
            constituent=True, awaiting=list(cells_awaiting_confirmation(user)),
            upcoming=upcoming_involvement(user, today=_as_of(window)),
            report_answers=list(report_answers(user, start=window.start, end=window.end)),
            request_answers=list(request_answers(user, start=window.start, end=window.end)))
    return DigestNews(reports_awaiting=list(reports_awaiting_officer(user)))


def _has_new(user, news: DigestNews, window: DigestWindow) -> bool:
    """Something of the constituent's news is new in the window (see the module's docstring)."""
    if news.report_answers or news.request_answers:
        return True
    first, last = window.start.date(), _as_of(window)
    if any(first < due - dt.timedelta(days=UPCOMING_DAYS) <= last for due, _cell in news.upcoming):
        return True
    return TripartiteInvolvement.history.model.objects.filter(
        id__in=[cell.pk for cell in news.awaiting], history_date__gte=window.start,
        history_date__lt=window.end).exists()


def news_recipients(window: DigestWindow, *, frequencies) -> set[int]:
    """Ids of the users who chose one of `frequencies` and have news new in the window: constituents (each asked in
    turn: they are few), and the responsible officials of projects with a constituent's report received in it."""
    from accounts.models import User

    users = User.objects.filter(is_active=True, digest_frequency__in=frequencies).exclude(email="")
    ids = set(users.filter(project_responsible_reports_q(window)).values_list("pk", flat=True).distinct())
    for user in users.filter(role=Role.CONSTITUENT, is_superuser=False, constituent_account__isnull=False):
        news = digest_news(user, window)
        if news and _has_new(user, news, window):
            ids.add(user.pk)
    return ids


def project_responsible_reports_q(window: DigestWindow) -> Q:
    """Users who are the responsible official of a project with a constituent's report received in the window."""
    reported = TripartiteInvolvement.objects.filter(confirmation=Confirmation.REPORTED, reported_at__gte=window.start,
                                                    reported_at__lt=window.end)
    return Q(pk__in=reported.values("project__responsible_official_id"))
