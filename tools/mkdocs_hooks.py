"""MkDocs hook: leave out of the nav the pages that do not exist (yet).

Guides are written on parallel branches (code generation, verification,
transforms); mkdocs.yml lists them all, and until a guide lands this hook
drops its entry with a note in the log, so ``mkdocs build --strict`` keeps
passing and the guide appears in the nav as soon as its file exists.
"""

from __future__ import annotations

import logging
import pathlib
from typing import Any

log = logging.getLogger("mkdocs.hooks.optional_pages")


def on_config(config: Any) -> Any:
    docs = pathlib.Path(config["docs_dir"])
    config["nav"] = _existing(config["nav"], docs)
    return config


def _existing(nav: Any, docs: pathlib.Path) -> Any:
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), = item.items()
            if isinstance(target, list):
                kept = _existing(target, docs)
                if kept:
                    out.append({title: kept})
                continue
            if isinstance(target, str) and "://" not in target and not (docs / target).exists():
                log.info("%s (%s) is not written yet: left out of the nav", title, target)
                continue
        out.append(item)
    return out
