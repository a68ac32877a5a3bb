"""The API's reference page at /api/docs/, made from its OpenAPI schema.

django-ninja's own page is Swagger UI, loaded from a CDN unless ninja is an
installed app, and even then it needs script the site's Content Security
Policy would have to allow. This page is the site's own template, server-side
and without script: every endpoint, its parameters and its answers, and a
link to the schema for tools.
"""

import re

from django.shortcuts import render
from ninja.openapi.docs import DocsBase

TEMPLATE = "api/docs.html"


class Reference(DocsBase):
    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "api": schema["info"],
            "schema_url": self.get_openapi_url(api, kwargs),
            "endpoints": endpoints(schema),
        }
        return render(request, TEMPLATE, context)


def endpoints(schema):
    """Return each operation of ``schema`` as the page lists it."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation["operationId"],
                    "summary": operation.get("summary", ""),
                    "description": spans(
                        operation.get("description") or operation.get("summary", "")
                    ),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": _type(parameter.get("schema", {})),
                            "description": spans(
                                parameter.get("description")
                                or parameter.get("schema", {}).get("description", "")
                            ),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {"status": status, "description": answer.get("description")}
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def spans(text):
    """Return ``text`` as ``[(words, is_code), ...]``: its `code` spans apart,
    for the template to show (and escape) each."""
    parts = re.split(r"`([^`]+)`", text)
    return [(part, n % 2 == 1) for n, part in enumerate(parts) if part]


def _type(schema):
    """Return a parameter's type as the page shows it (``string``,
    ``integer``, ``string (date-time)``)."""
    if "anyOf" in schema:
        kinds = [_type(option) for option in schema["anyOf"]]
        return " or ".join(kind for kind in kinds if kind != "null")
    kind = schema.get("type", "")
    return f"{kind} ({schema['format']})" if "format" in schema else kind
