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

scenario_passed = _signals.signal("scenario-passed", doc="""A learner passed a role-play. Keywords: ``user_id``,
``scenario_id``, ``now``. Sent inside the transaction that recorded the run's last reply.""")

course_started = _signals.signal("course-started", doc="""A learner started a course (an enrolment was
created). Keyword: ``enrollment``. Sent inside the request's transaction.""")

course_completed = _signals.signal("course-completed", doc="""A learner completed a course. Keyword:
``completion`` (already flushed, with its business day). Sent inside the transaction that made it.""")

cycle_due = _signals.signal("cycle-due", doc="""Asked, not announced: which cycle does a learner's work on
a course count for now? Keywords: ``user_id``, ``course_id``. A receiver returns the period label
("2026", "2026H2", "once") or None; the learning flow takes the first label given.""")
