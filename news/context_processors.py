from django.conf import settings


def site(request):
    return {"site_name": settings.NEWSDESK_SITE_NAME}
