"""Pages served to browsers; every page reads and writes through /api/v1 with the session cookie."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
