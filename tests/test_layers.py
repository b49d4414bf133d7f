"""The floors of the house, checked on the source: who may import whom.

- ``core`` is the ground floor: Django, itself, and from ``accounts`` only the roles (``enums``) and the
  shared permission predicates (``rules``), which import nothing but the roles. The acting user's role
  is part of every page and audit check, so core needs it; anything more (models, services, a domain
  app) belongs to an app above core or to ``config``/``demo``, which assemble the apps.
- ``doyak.cli`` is a front door like the web: no app imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import doyak

PACKAGE = Path(doyak.__file__).parent
CORE_MAY_IMPORT = ("doyak.core", "doyak.accounts.enums", "doyak.accounts.rules")


def _imports(path: Path, *, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file, nested ones too; relative imports resolved
    against the file's place under ``root`` (the doyak package)."""
    package = ".".join(("doyak", *path.relative_to(root).parent.parts))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]  # from doyak import cli
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _offenders(paths, allowed, *, root: Path = PACKAGE) -> list[str]:
    return [f"{path.relative_to(root)}:{line}: {module}"
            for path in paths for line, module in _imports(path, root=root)
            if _within(module, "doyak") and module != "doyak" and not any(_within(module, a) for a in allowed)]


def test_no_module_outside_cli_imports_cli():
    # given every module of doyak outside doyak/cli
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if "cli" not in p.relative_to(PACKAGE).parts[:1]]
    # then none imports doyak.cli
    offenders = [f"{p.relative_to(PACKAGE)}:{line}: {m}" for p in paths for line, m in _imports(p)
                 if _within(m, "doyak.cli")]
    assert len(paths) > 50
    assert offenders == []


def test_core_imports_no_domain_app():
    # given every module of core (views, selectors, templatetags, migrations …)
    paths = sorted((PACKAGE / "core").rglob("*.py"))
    # then it imports only core itself and the roles and shared predicates of accounts
    assert len(paths) > 10
    assert _offenders(paths, CORE_MAY_IMPORT) == []


def test_what_core_may_import_from_accounts_imports_only_the_roles():
    # given the two accounts modules core may import
    paths = [PACKAGE / "accounts" / "enums.py", PACKAGE / "accounts" / "rules.py"]
    # then they bring in nothing of doyak beyond the roles, so core stays the ground floor
    assert _offenders(paths, ("doyak.accounts.enums",)) == []


def test_the_checker_sees_relative_nested_and_package_imports(tmp_path):
    # given a core module with a function-level import of a domain model, one of a sibling app's module
    # by a relative import, and ``from doyak import cli``
    (tmp_path / "core").mkdir()
    source = tmp_path / "core" / "nested.py"
    source.write_text("from .home import HomeCard\nfrom ..organizations import models\nfrom doyak import cli\n\n"
                      "def f():\n    from doyak.proposals.models import Proposal\n", encoding="utf-8")
    # when checked as core is
    offenders = _offenders([source], CORE_MAY_IMPORT, root=tmp_path)
    # then all but the import within core are reported, with their lines
    assert offenders == [
        "core/nested.py:2: doyak.organizations", "core/nested.py:2: doyak.organizations.models",
        "core/nested.py:3: doyak.cli", "core/nested.py:6: doyak.proposals.models",
        "core/nested.py:6: doyak.proposals.models.Proposal",
    ]
