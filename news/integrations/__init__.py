"""What other systems hear of: webhooks to subscribers and CDN purges.

Both are receivers of the domain signals (news.signals), connected in
news.apps, and both do their network work on a task worker.

- http: one HTTP request, to the address the name resolved to, and the guard
  that refuses loopback, private and other non-public addresses.
- signing: the HMAC-SHA256 signature of a delivery, and its check.
- payloads: a post's public fields with absolute URLs; the pages a change
  affects, as URLs and as surrogate keys.
- webhooks: subscriptions' deliveries, retries, turning a failing one off.
- purge: the pluggable CDN purgers and the task that calls them.
"""
