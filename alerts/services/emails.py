"""The digest e-mail: in the recipient's language, HTML and plain text, with absolute links."""



from alerts.services.news import digest_news
from alerts.services.windows import (
    digest_window_for_key,
)
from core.text import xml_safe


def build_digest_message(digest):
    """The e-mail of a digest, in the recipient's language, HTML and plain text, with absolute links."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from alerts.models import AlertEvent, DigestFrequencyKind, EventKind

    user = digest.recipient
    language = user.language or "en"
    alerts = list(digest.alerts.select_related("project", "rule").order_by("-severity", "project__symbol",
                                                                            "rule__code"))
    window = digest_window_for_key(frequency=digest.frequency, key=digest.period_key)
    raised = set()
    if window is not None:
        # New: raised in the window. Events are dated on the business clock, like the window (not created_at).
        raised = set(AlertEvent.objects.filter(alert__in=[alert.pk for alert in alerts], kind=EventKind.RAISED,
                                               at__gte=window.start, at__lt=window.end)
                     .values_list("alert_id", flat=True))
    base = settings.TCMS_BASE_URL
    with translation.override(language):
        rows = [{"alert": alert,
                 "is_new": digest.frequency == DigestFrequencyKind.IMMEDIATE or alert.pk in raised,
                 "url": base + reverse("alerts:detail", args=[alert.pk])} for alert in alerts]
        news = digest_news(user, window)
        context = {"user": user, "digest": digest, "window": window, "language": language, "news": news,
                   "new": [row for row in rows if row["is_new"]], "changed": [row for row in rows if not row["is_new"]],
                   "list_url": base + reverse("alerts:list"), "base_url": base,
                   "profile_url": base + reverse("profile")}
        # Without the characters of core.text (titles stored before TCMS refused them): mail clients and the
        # stored copy of the message get text any XML or database can hold.
        subject = xml_safe(" ".join(render_to_string("alerts/email/digest_subject.txt", context).split()))
        text = xml_safe(render_to_string("alerts/email/digest.txt", context))
        html = xml_safe(render_to_string("alerts/email/digest.html", context))
    domain = urlsplit(base).hostname or "tcms.localhost"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[user.email],
        headers={"Message-ID": f"<tcms-digest-{digest.pk}@{domain}>", "Content-Language": language,
                 "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message
