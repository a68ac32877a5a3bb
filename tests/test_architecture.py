"""The app's layers (docs/architecture.md), held by reading its imports.

Dependencies point one way: interfaces, then services, then the model, then
formats. A module may import its own layer or a lower one, never a higher one;
no two modules import each other, directly or round a loop; and no module
imports another inside a function, except NewsConfig.ready(), which must wait
for the models.
"""

import ast
from pathlib import Path

import pytest

NEWS = Path(__file__).resolve().parent.parent / "news"

# Lowest first. Every module of the app is in exactly one layer.
LAYERS = {
    "formats": [
        "news.slugs",
        "news.languages",
        "news.documents.frontmatter",
        "news.documents.markdown",
        "news.documents.display",
        "news.documents.syndication",
        "news.documents.math",
    ],
    "model": [
        "news.models",
        "news.signals",
    ],
    "services": [
        "news.documents.values",
        "news.documents.importer",
        "news.documents.exporter",
        "news.editorial.workflow",
        "news.editorial.revisions",
        "news.editorial.translations",
        "news.editorial.previews",
        "news.editorial.notifications",
        "news.editorial.desk",
        "news.editorial.autosave",
        "news.editorial.history",
        "news.editorial.checks",
        "news.media",
        "news.public.cache",
        "news.public.fragments",
        "news.public.theme",
        "news.public.search",
        "news.public.pagination",
        "news.workers",
        "news.integrations",
    ],
    "interfaces": [
        "news.admin",
        "news.apps",
        "news.editorial.admin",
        "news.editorial.admin_views",
        "news.editorial.forms",
        "news.editorial.preview_views",
        "news.editorial.site",
        "news.editorial.widgets",
        "news.public.views",
        "news.public.feeds",
        "news.public.sitemaps",
        "news.public.urls",
        "news.public.middleware",
        "news.public.locale",
        "news.public.context_processors",
        "news.public.health",
        "news.public.media",
        "news.templatetags",
        "news.management",
        "news.integrations.admin",
        "news.api",
    ],
}
RANK = {prefix: rank for rank, names in enumerate(LAYERS.values()) for prefix in names}
LAYER_NAMES = list(LAYERS)
# Package markers that only hold other modules.
PACKAGES = {
    "news",
    "news.documents",
    "news.editorial",
    "news.integrations",
    "news.public",
}


def module_name(path):
    parts = path.relative_to(NEWS.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def app_modules():
    return {
        module_name(path): path
        for path in sorted(NEWS.rglob("*.py"))
        if "migrations" not in path.parts
    }


def rank(module):
    """Return the layer of ``module``: that of its longest listed prefix."""
    prefixes = [p for p in RANK if module == p or module.startswith(p + ".")]
    if not prefixes:
        return None
    return RANK[max(prefixes, key=len)]


def resolve(module, path, node):
    """Return the app modules an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("news")]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("news"):
        return []
    known = app_modules()
    # "from . import x" and "from .models import queries" name modules too.
    names = [f"{target}.{alias.name}" for alias in node.names]
    return [name for name in names if name in known] or [target]


def imports(module, path):
    """Return ``[(imported module, line, inside a function)]`` of ``module``."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef
            )
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.extend(
                    (name, child.lineno, in_function)
                    for name in resolve(module, path, child)
                )
            visit(child, nested)

    visit(tree, False)
    return found


def graph():
    return {
        module: {
            target
            for target, _, _ in imports(module, path)
            if target != module and target in app_modules()
        }
        for module, path in app_modules().items()
    }


def test_every_module_has_a_layer():
    unplaced = [m for m in app_modules() if m not in PACKAGES and rank(m) is None]
    assert unplaced == [], "add these to LAYERS in tests/test_architecture.py"


def test_no_module_imports_a_higher_layer():
    upward = []
    for module, path in app_modules().items():
        if module in PACKAGES:
            continue
        for target, line, _ in imports(module, path):
            if target in PACKAGES or rank(target) is None:
                continue
            if rank(target) > rank(module):
                upward.append(
                    f"{path.relative_to(NEWS.parent)}:{line}: {module} "
                    f"({LAYER_NAMES[rank(module)]}) imports {target} "
                    f"({LAYER_NAMES[rank(target)]})"
                )
    assert upward == []


def test_no_import_loops():
    edges = graph()
    loops = []
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                loops.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert loops == []


def test_no_imports_inside_functions_but_ready():
    inside = [
        f"{path.relative_to(NEWS.parent)}:{line}: {target}"
        for module, path in app_modules().items()
        if module != "news.apps"
        for target, line, in_function in imports(module, path)
        if in_function
    ]
    assert inside == []


def test_format_code_is_free_of_the_orm():
    formats = [m for m in app_modules() if rank(m) == 0]
    assert formats
    for module in formats:
        source = app_modules()[module].read_text()
        for forbidden in ("django.db", "news.models", "from ..models", "from .models"):
            assert forbidden not in source, f"{module} uses {forbidden}"


@pytest.mark.parametrize(
    "module, target",
    [
        ("news.models.content", "news.media.renditions"),
        ("news.documents.markdown", "news.models"),
    ],
)
def test_the_checks_catch_a_wrong_import(module, target, tmp_path):
    # A module that breaks the rules is reported: the checks can fail.
    path = tmp_path / "probe.py"
    path.write_text(f"import {target}\n\ndef f():\n    import {target}\n")
    found = imports(module, path)
    assert [(t, inside) for t, _, inside in found] == [(target, False), (target, True)]
    assert rank(target) != rank(module)
