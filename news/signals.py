"""The domain events: what the services tell the rest of the system, on commit.

The workflow, revisions, the importer and the renderer send these once their
transaction commits, so no receiver hears of a change that was rolled back. The
one exception is ``site_changed``: it is sent inside the transaction, because
its receiver records the change in the database (SiteChange, which the site's
freshness reads) and that record must commit or roll back with the change.
Receivers (page cache invalidation, notification emails) are connected in
news.apps.NewsConfig.ready(). Model signals (post_save) are not used for these:
bulk writes skip them.

Every signal is sent with ``sender=Post``.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models import Post

# A post became visible to readers (or scheduled to): ``post``.
post_published = Signal()
# A post left the public site, unpublished or archived: ``post``.
post_unpublished = Signal()
# A post's content was edited: ``post``; readers see it if it is published.
post_changed = Signal()
# Something readers see changed outside a post's own row: an author, category,
# tag or image, or every body rendered again. Sent inside the transaction.
site_changed = Signal()
# A worker made renditions of ``images`` (their ids) and rendered again the
# bodies that show them: pages and fragments made before lack their srcset.
renditions_made = Signal()
# A workflow transition was made: ``entry`` (its AuditEntry) and ``notify``,
# who should hear of it ("editors", "authors" or "").
post_transitioned = Signal()


def send_on_commit(signal, **kwargs):
    """Send ``signal`` (with ``sender=Post``) once the current transaction
    commits; at once outside one."""
    transaction.on_commit(partial(signal.send, sender=Post, **kwargs))
