"""The ceiling: a bare Flask JSON endpoint, served with the same gunicorn settings as the app."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/json")
def bare():
    return jsonify(status="ok", answer=42)
