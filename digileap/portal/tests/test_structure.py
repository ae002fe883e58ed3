"""The dependencies run one way (docs/architecture.md): ``core`` imports no domain app, and the
school page does not reach into the apps built on schools. The menu, the home page's to-dos and the
school page's panels come from each app's contributions (``digileap.core.contributions``); the demo
and ``seed_demo`` live in ``digileap.portal`` at the top."""

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # digileap/

# At the bottom: core and accounts. Every other app (schools, programmes, allocation, devices,
# funding, ... and the portal at the top) is above them; a new app is covered as soon as it exists.
BOTTOM = ("core", "accounts")
APPS = tuple(sorted(path.parent.name for path in PACKAGE_ROOT.glob("*/apps.py")))
DOMAIN_APPS = tuple(app for app in APPS if app not in BOTTOM)


def _modules(app: str) -> list[Path]:
    """Every module of ``app`` but its tests."""
    return sorted(
        path for path in (PACKAGE_ROOT / app).rglob("*.py") if "tests" not in path.relative_to(PACKAGE_ROOT).parts
    )


def _imported(path: Path) -> set[str]:
    """The absolute names of everything ``path`` imports, at the top or inside functions."""
    package = ".".join(("digileap", *path.relative_to(PACKAGE_ROOT).with_suffix("").parts[:-1]))
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _violations(app: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in _modules(app):
        for name in sorted(_imported(path)):
            if any(name == f"digileap.{other}" or name.startswith(f"digileap.{other}.") for other in forbidden):
                found.append(f"{path.relative_to(PACKAGE_ROOT)} imports {name}")
    return found


def test_the_checker_sees_absolute_relative_and_function_level_imports(tmp_path):
    module = PACKAGE_ROOT / "core" / "contributions.py"
    assert "django.urls.reverse" in _imported(module)
    schools_views = _imported(PACKAGE_ROOT / "schools" / "views.py")
    assert "digileap.schools.selectors" in schools_views  # "from . import selectors"
    assert "digileap.core.contributions.school_panels_for" in schools_views
    devices_contributions = _imported(PACKAGE_ROOT / "devices" / "contributions.py")
    assert "digileap.devices.models.Delivery" in devices_contributions  # imported inside a function


def test_the_walk_covers_every_core_module():
    names = {str(path.relative_to(PACKAGE_ROOT)) for path in _modules("core")}
    assert "core/contributions.py" in names
    assert "core/templatetags/digileap_navigation.py" in names
    assert not any("/tests/" in name for name in names)


def test_core_imports_no_domain_app():
    assert _violations("core", DOMAIN_APPS) == []


def test_the_apps_are_found():
    assert {"schools", "programmes", "allocation", "devices", "portal"} <= set(DOMAIN_APPS)


def test_accounts_imports_no_domain_app():
    assert _violations("accounts", DOMAIN_APPS) == []


def test_schools_imports_none_of_the_apps_built_on_it():
    assert _violations("schools", tuple(app for app in DOMAIN_APPS if app != "schools")) == []


@pytest.mark.parametrize("app", [app for app in DOMAIN_APPS if app != "portal"])
def test_no_domain_app_imports_the_portal(app):
    assert _violations(app, ("portal",)) == []
