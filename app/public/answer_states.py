"""The answered state of a question as the page's script receives it, rendered once per server.

After an answer the script shows the verdict, the options marked and the explanation in place
(``public/_answer_review.html``). That depends only on the question (immutable: a quiz version never
changes), the order the play shows its options in, the choice, the language and whether it was the
last question — a few thousand combinations in a whole campaign — so each is rendered once per app
server and kept (bounded, least recently used dropped); the play's own link onward is put in per
answer. On a 3·15 peak this is most of what an answer would otherwise spend on templates.
"""

from __future__ import annotations

from markupsafe import escape

NEXT_URL_SLOT = "__xb_next_url__"  # rendered where the link onward goes, replaced per play


def with_next_url(html: str, next_url: str) -> str:
    return html.replace(NEXT_URL_SLOT, str(escape(next_url)))
