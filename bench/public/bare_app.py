"""The ceilings the answer endpoint is measured against, served with the same gunicorn settings:

- ``GET /json``: a bare Flask JSON endpoint (what Flask and gunicorn cost at all);
- ``POST /floor/p/<token>/<position>``: the floor of an answer — read the play by its token, insert
  one row, commit — on a connection of the worker's own, with the driver alone (sqlite3 in WAL with
  synchronous=NORMAL as the app sets it, or psycopg with synchronous_commit on), no ORM, no
  session, no CSRF, no limiter, no template. The rows go to a table of the bench's own
  (floor_answers, created on first use), so the app's answers are untouched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from flask import Flask, jsonify, request

app = Flask(__name__)
_local = threading.local()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CREATE = ("CREATE TABLE IF NOT EXISTS floor_answers (id {key}, play_id INTEGER NOT NULL, position INTEGER NOT NULL, "
          "question_id INTEGER NOT NULL, choice VARCHAR(20) NOT NULL, answered_at VARCHAR(40) NOT NULL)")


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if DATABASE_URL.startswith("sqlite:///"):
            conn = sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///"), timeout=5)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(CREATE.format(key="INTEGER PRIMARY KEY"))
            _local.mark = "?"
        else:
            import psycopg

            conn = psycopg.connect(DATABASE_URL.replace("postgresql+psycopg://", "postgresql://"))
            conn.execute(CREATE.format(key="SERIAL PRIMARY KEY"))
            _local.mark = "%s"
        conn.commit()
        _local.conn = conn
    return conn, _local.mark


@app.get("/json")
def bare():
    return jsonify(status="ok", answer=42)


@app.post("/floor/p/<token>/<int:position>")
def floor(token: str, position: int):
    conn, mark = _connection()
    row = conn.execute(f"SELECT id FROM public_plays WHERE token = {mark}", (token,)).fetchone()
    if row is None:
        return jsonify(error="no play"), 404
    conn.execute(f"INSERT INTO floor_answers (play_id, position, question_id, choice, answered_at) "
                 f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
                 (row[0], position, int(request.form.get("question", 0)), request.form.get("choice", ""),
                  time.strftime("%Y-%m-%d %H:%M:%S")))
    conn.commit()
    return jsonify(status="ok")
