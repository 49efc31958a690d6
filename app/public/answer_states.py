"""The answered state of a question as the page's script receives it, rendered once per server.

After an answer the script shows the verdict, the options marked and the explanation in place
(``public/_answer_review.html``). That depends only on the question (immutable: a quiz version never
changes), the order the play shows its options in, the choice, the language and whether it was the
last question — a few thousand combinations in a whole campaign — so each is rendered once per app
server and kept (bounded, least recently used dropped); the play's own link onward is put in per
answer. On a 3·15 peak this is most of what an answer would otherwise spend on templates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import escape

NEXT_URL_SLOT = "__xb_next_url__"  # rendered where the link onward goes, replaced per play


class RenderedCache:
    """A bounded least-recently-used map of rendered HTML, safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._items[key] = html
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._items)


def with_next_url(html: str, next_url: str) -> str:
    return html.replace(NEXT_URL_SLOT, str(escape(next_url)))
