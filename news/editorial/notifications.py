"""Email about workflow transitions.

A receiver of news.signals.post_transitioned, which the workflow sends on
commit, so nobody hears about a transition that was rolled back. The receiver
only enqueues a task; a worker sends the mail, so a slow or unreachable mail
server never holds up an editor's request. Each recipient gets their own
message.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from .. import signals
from ..models import AuditEntry

SUBJECTS = {
    "submit": "Ready for review: {post}",
    "approve": "Approved: {post}",
    "request_changes": "Changes requested: {post}",
    "publish": "Published: {post}",
}


def editors():
    """Return the addresses of active members of the Editors group."""
    users = (
        get_user_model()
        .objects.filter(groups__name="Editors", is_active=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def authors(post):
    """Return the addresses of the post's authors who have accounts."""
    bylines = post.bylines.filter(
        author__user__is_active=True, author__user__email__gt=""
    )
    return sorted(set(bylines.values_list("author__user__email", flat=True)))


def message(entry):
    """Return the subject and text telling people about audit ``entry``."""
    post = entry.post
    subject = SUBJECTS[entry.transition].format(post=post)
    if entry.transition == "publish" and post.published_at and not post.is_published:
        subject = f"Scheduled for {post.published_at:%Y-%m-%d %H:%M %Z}: {post}"
    who = entry.user.get_username() if entry.user else "the system"
    what = "its pending change" if entry.revision_id else "it"
    lines = [
        f"{who} moved {what} from {entry.get_from_status_display().lower()} "
        f"to {entry.get_to_status_display().lower()}.",
    ]
    if entry.comment:
        lines += ["", entry.comment]
    lines += ["", reverse("admin:news_post_change", args=[post.pk])]
    return subject, "\n".join(lines)


def send(entry_pk, *, audience):
    """Email ``audience`` ("editors" or "authors") about the transition in audit
    entry ``entry_pk``, leaving out whoever made it."""
    entry = AuditEntry.objects.select_related("post", "user").get(pk=entry_pk)
    recipients = editors() if audience == "editors" else authors(entry.post)
    if entry.user is not None and entry.user.email in recipients:
        recipients.remove(entry.user.email)
    subject, text = message(entry)
    send_mass_mail(
        [(subject, text, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    )


@task()
def send_task(entry_pk, audience):
    """Email ``audience`` about audit entry ``entry_pk``, on a worker.

    Safe to run again: the message is built from the audit entry, which never
    changes. A worker killed after the mail server took the messages but before
    the result was recorded sends them once more, so delivery is at least once.
    """
    send(entry_pk, audience=audience)


def _transitioned(sender, entry, notify, **kwargs):
    if notify:
        send_task.enqueue(entry.pk, notify)


def register_signal_handlers():
    """Email people about transitions (news.apps calls this)."""
    signals.post_transitioned.connect(_transitioned, dispatch_uid="notifications")
