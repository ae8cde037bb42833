import json
import logging
import re
from urllib.parse import quote

import requests

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from ..models.res_config_settings import shelfcast_connection

_logger = logging.getLogger(__name__)

# The components send this header on every call; a cross-site form or image cannot, so the
# session cookie alone never makes Odoo call Shelfcast on a user's behalf (CSRF).
CLIENT_HEADER = "X-Shelfcast-Client"
TIMEOUT_SECONDS = 30
# Werkzeug hands over the path decoded ("promo/models/Pasta & Rice"): refuse control characters
# and dot segments, and quote it again when forwarding.
UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f]|(^|/)\.\.?(/|$)")


def _error(status, code, message, field=""):
    """An answer in the Shelfcast server's error format, so the components read it the same way."""
    body = json.dumps({"error": {"code": code, "message": message, "field": field}})
    return request.make_response(
        body, headers=[("Content-Type", "application/json"), ("Cache-Control", "no-store")], status=status
    )


class ShelfcastProxy(http.Controller):
    """/shelfcast_planning/api/v1/<path> -> <server URL>/api/v1/<path> with the API token of the
    user's Shelfcast role (approver, planner or executive; see res_config_settings.py)."""

    @http.route(
        "/shelfcast_planning/api/v1/<path:subpath>",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def proxy(self, subpath, **_kwargs):
        if request.httprequest.headers.get(CLIENT_HEADER) != "1":
            return _error(400, "bad_request", "Shelfcast calls come from the Shelfcast components only.")
        if UNSAFE_PATH.search(subpath):
            return _error(404, "not_found", "No such Shelfcast route.")
        try:
            base_url, token, _role = shelfcast_connection(request.env)
        except AccessError as error:
            return _error(403, "permission_denied", str(error))
        if not base_url or not token:
            return _error(
                503,
                "unavailable",
                "Shelfcast is not configured: an administrator sets the server URL and the role "
                "tokens in Settings > Shelfcast.",
            )
        method = request.httprequest.method
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        body = None
        if method == "POST":
            headers["Content-Type"] = "application/json"
            body = request.httprequest.get_data() or b"{}"
        url = f"{base_url}/api/v1/{quote(subpath, safe='/')}"
        query = request.httprequest.query_string
        try:
            answer = requests.request(
                method,
                url + (f"?{query.decode()}" if query else ""),
                data=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            _logger.warning("Shelfcast server %s unreachable: %s", base_url, error)
            return _error(502, "unavailable", f"The Shelfcast server at {base_url} could not be reached.")
        return request.make_response(
            answer.content,
            headers=[
                ("Content-Type", answer.headers.get("Content-Type", "application/json")),
                ("Cache-Control", "no-store"),
            ],
            status=answer.status_code,
        )
