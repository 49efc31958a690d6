"""Events one feature announces and others follow, without importing each other (blinker, as Flask
and indico use it). Receivers connect in their own package; senders pass plain arguments."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

roster_applied = _signals.signal("roster-applied", doc="""A roster import changed who works where.
Keyword: ``today`` (the business date). Sent inside the import's transaction.""")

content_synced = _signals.signal("content-synced", doc="""The bundled content files were loaded into the
database. Keywords: ``bundle`` (the loaded files) and ``report`` (the sync report, which receivers
add their lines to). Sent inside the sync's transaction.""")
