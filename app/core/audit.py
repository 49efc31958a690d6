"""Recording audit events (a service: flushes, never commits)."""

from __future__ import annotations

from app.core.models import AuditEvent
from app.extensions import db


def record(action: str, *, actor=None, target: str = "", **details) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        action=action, actor_id=getattr(actor, "id", None), target=target, details=details
    )
    db.session.add(event)
    return event
