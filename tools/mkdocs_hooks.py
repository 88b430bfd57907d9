"""MkDocs hook: leave out the pages that cannot be built yet.

Guides and API modules are written on parallel branches (code generation,
verification, transforms).  mkdocs.yml lists them all; until one lands, this
hook drops it with a note in the log, so ``mkdocs build --strict`` keeps
passing and the page appears as soon as its guide or module exists:

* a nav entry whose file does not exist is dropped;
* an API page (``::: symgrad.module`` lines) whose module is not in the
  checkout is dropped from the nav and from the build.
"""

from __future__ import annotations

import logging
import pathlib
import re
from typing import Any

log = logging.getLogger("mkdocs.hooks.optional_pages")

_DIRECTIVE = re.compile(r"^:::\s+([\w.]+)", re.M)
_missing: set[str] = set()


def on_config(config: Any) -> Any:
    docs = pathlib.Path(config["docs_dir"])
    root = pathlib.Path(config["config_file_path"]).parent
    _missing.clear()
    _missing.update(p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if not _modules_exist(p, root))
    config["nav"] = _buildable(config["nav"], docs)
    return config


def on_files(files: Any, config: Any) -> Any:
    for path in _missing:
        f = files.get_file_from_path(path)
        if f is not None:
            files.remove(f)
    return files


def _modules_exist(page: pathlib.Path, root: pathlib.Path) -> bool:
    for name in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
        parts = name.split(".")
        if parts[-1][:1].isupper():  # a class (symgrad.Tensor): its module must exist
            parts = parts[:-1]
        base = root.joinpath(*parts)
        if not (base.with_suffix(".py").exists() or (base / "__init__.py").exists()):
            log.info("%s documents %s, which has not landed yet: left out", page.name, name)
            return False
    return True


def _buildable(nav: Any, docs: pathlib.Path) -> Any:
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), = item.items()
            if isinstance(target, list):
                kept = _buildable(target, docs)
                if kept:
                    out.append({title: kept})
                continue
            if isinstance(target, str) and "://" not in target:
                if not (docs / target).exists():
                    log.info("%s (%s) is not written yet: left out of the nav", title, target)
                    continue
                if target in _missing:
                    continue
        out.append(item)
    return out
