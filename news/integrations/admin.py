"""The admin of webhooks: subscriptions, a test delivery, and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from ..editorial.admin import ReadOnlyAdmin
from ..models import WebhookDelivery, WebhookSubscription
from . import http, webhooks

Event = WebhookSubscription.Event
POST_EVENTS = [(event.value, event.label) for event in Event if event != Event.PING]


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text=WebhookSubscription._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=POST_EVENTS,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this receiver hears of.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "secret", "active", "owner"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            http.check_url(url)
        except http.Refused as refusal:
            raise ValidationError(str(refusal)) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = [
        "url",
        "events_shown",
        "active",
        "consecutive_failures",
        "owner",
        "deliveries_link",
    ]
    list_filter = ["active"]
    search_fields = ["url"]
    readonly_fields = ["consecutive_failures", "created_at"]
    actions = ["send_test"]

    @admin.display(description="events")
    def events_shown(self, subscription):
        return ", ".join(sorted(subscription.events))

    @admin.display(description="deliveries")
    def deliveries_link(self, subscription):
        url = reverse("admin:news_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}">Log</a>', url, subscription.pk
        )

    def save_model(self, request, obj, form, change):
        if obj.owner_id is None:
            obj.owner = request.user
        # Turned on again by hand: its failures so far no longer count.
        if "active" in form.changed_data and obj.active:
            obj.consecutive_failures = 0
        super().save_model(request, obj, form, change)

    @admin.action(description="Send a test delivery", permissions=["change"])
    def send_test(self, request, queryset):
        sent = [webhooks.send_test(subscription) for subscription in queryset]
        self.message_user(
            request,
            f"Queued {len(sent)} test deliveries; the delivery log shows how "
            "they went.",
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The log of deliveries: read-only."""

    list_display = [
        "created_at",
        "event",
        "subscription",
        "status",
        "response_code",
        "response_ms",
        "attempts",
        "error",
    ]
    list_filter = ["status", "event", "subscription"]
    list_select_related = ["subscription"]
    date_hierarchy = "created_at"
    list_per_page = 50
    search_fields = ["uuid", "subscription__url", "error"]
