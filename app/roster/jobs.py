"""Applying a large roster after the request that asked for it, with a page that follows it.

A roster of 200,000 people takes longer to apply than a web worker may spend on one request
(gunicorn stops a sync worker after 30 s by default). A plan that changes more than
``ROSTER_BACKGROUND_ROWS`` people is therefore applied by a thread of the worker that received the
Apply: the request answers at once with a progress page, and the thread checks the file again,
applies it in one transaction and commits, writing each step into the upload's note. All or nothing
still holds: if the worker dies, the open transaction is rolled back by the database, and the page
says the import did not finish (at once on the same machine, by the note's age elsewhere).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path

from flask import Flask

from app.auth.models import User
from app.auth.services import hr_scope_of
from app.core.time import business_today
from app.core.uploads import UploadStore, ZipLimits
from app.extensions import db
from app.org.services import limit_below_root
from app.roster import files as roster
from app.roster import services as roster_services

log = logging.getLogger(__name__)

# a job whose note has not moved for this long did not finish (its worker stopped)
STALE_AFTER = 30 * 60


def start(app: Flask, store: UploadStore, token: str, user_id: int, limits: ZipLimits) -> None:
    """Apply the upload ``token`` in a thread; the note's ``job`` says how far it got."""
    store.update_note(token, job=_running("checking"))
    thread = threading.Thread(target=_run, args=(app, store.root, token, user_id, limits),
                              name=f"roster-{token[:8]}", daemon=False)
    thread.start()


def state(note: dict, now: float | None = None) -> dict | None:
    """The job as the progress page shows it (None: the upload was never applied in the background)."""
    job = note.get("job")
    if job and job["state"] == "running" and (
            (now or time.time()) - job["at"] > STALE_AFTER or not _alive(job.get("host"), job.get("pid"))):
        return {**job, "state": "interrupted"}
    return job


def _running(step: str) -> dict:
    return {"state": "running", "step": step, "at": time.time(), "host": socket.gethostname(), "pid": os.getpid()}


def _alive(host: str | None, pid: int | None) -> bool:
    """Whether the worker running a job still exists (known only on its own machine)."""
    if host != socket.gethostname() or not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _run(app: Flask, root: Path, token: str, user_id: int, limits: ZipLimits) -> None:
    store = UploadStore(root)
    with app.app_context():
        try:
            _apply(store, token, user_id, limits)
        except Exception:  # the transaction is rolled back: nothing changed, and the page says so
            log.exception("roster import %s failed", token)
            db.session.rollback()
            _mark_failed(store, token)
        finally:
            db.session.remove()


def _apply(store: UploadStore, token: str, user_id: int, limits: ZipLimits) -> None:
    stored = store.load(token, user_id)
    user = db.session.get(User, user_id)
    scope = hr_scope_of(user) if user is not None and user.active else None
    if stored is None or scope is None:
        _mark_failed(store, token)
        return
    content, filename = stored
    pad_to = store.note(token, user_id).get("pad_to")
    roster_plan = roster_services.plan(roster.read(filename, content, limits), limit_below_root(scope), pad_to=pad_to)
    if roster_plan.errors:
        _send_back(store, token, roster_plan, filename)
        return
    store.update_note(token, job=_running("writing"))
    counts = roster_services.apply(roster_plan, actor=user, filename=filename, today=business_today())
    db.session.commit()
    store.update_note(token, job={"state": "done", "counts": counts, "at": time.time()})
    store.discard_content(token)


def _mark_failed(store: UploadStore, token: str) -> None:
    store.update_note(token, job={"state": "failed", "at": time.time()})
    store.release(token)


def _send_back(store: UploadStore, token: str, roster_plan: roster_services.RosterPlan, filename: str) -> None:
    """The plan has errors: keep its preview for the page and hand the file back to be fixed."""
    store.write_extra(token, "preview", roster_services.preview(roster_plan, filename))
    store.update_note(token, job={"state": "changed", "at": time.time()})
    store.release(token)  # fixed (padded) and applied again later
