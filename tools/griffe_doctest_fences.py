"""Griffe extension for the docs site: fence bare doctest blocks.

symgrad's docstrings carry runnable examples as plain doctest blocks
(``>>> ...`` lines, then the expected output, up to a blank line), which
pytest runs.  Markdown would read ``>>>`` as nested quotes, so for the API
reference each such block is wrapped in a ```` ```pycon ```` fence.  The
source is not changed.  (The ``markdown-pycon`` extension does this in
Markdown, but does not work with pymdown-extensions 13.)
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    r"""Wrap each doctest block of ``text`` in a pycon fence (fenced code is left alone).

    >>> fence_doctests("Add:\n>>> 1 + 1\n2\n\nDone.").split("\n")
    ['Add:', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    in_fence = in_block = False
    for line in text.split("\n"):
        stripped = line.strip()
        if in_block and not stripped:
            out.append("```")
            in_block = False
        elif not in_block and stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not in_block and (stripped == ">>>" or stripped.startswith(">>> ")):
            out.append(line[: len(line) - len(line.lstrip())] + "```pycon")
            in_block = True
        out.append(line)
    if in_block:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Apply ``fence_doctests`` to every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
