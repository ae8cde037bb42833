from odoo import _, fields, models
from odoo.exceptions import AccessError

PARAM_SERVER_URL = "shelfcast_planning.server_url"

# Shelfcast role -> (the addon's group that grants it, the parameter holding its API token).
# Highest first: a user in several groups acts with the strongest role they hold.
ROLE_TOKENS = (
    ("approver", "shelfcast_planning.group_shelfcast_approver", "shelfcast_planning.approver_token"),
    ("planner", "shelfcast_planning.group_shelfcast_planner", "shelfcast_planning.planner_token"),
    ("executive", "shelfcast_planning.group_shelfcast_executive", "shelfcast_planning.executive_token"),
)


def shelfcast_connection(env):
    """The Shelfcast server URL, the API token of the current user's Shelfcast role and that role.

    The tokens live in ir.config_parameter (readable by Settings administrators only) and never
    reach the browser: the addon's proxy (controllers/main.py) adds them. Raises AccessError for a
    user without a Shelfcast group; returns an empty URL or token when Settings lack them.
    """
    params = env["ir.config_parameter"].sudo()
    for role, group, token_param in ROLE_TOKENS:
        if env.user.has_group(group):
            url = (params.get_param(PARAM_SERVER_URL) or "").strip().rstrip("/")
            token = (params.get_param(token_param) or "").strip()
            return url, token, role
    raise AccessError(_("Shelfcast is only for users in a Shelfcast group (Executive, Planner or Approver)."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    shelfcast_server_url = fields.Char(
        string="Shelfcast server URL",
        config_parameter=PARAM_SERVER_URL,
        groups="base.group_system",
        help="Where `shelfcast serve` answers, as Odoo's server reaches it, e.g. http://127.0.0.1:8080",
    )
    shelfcast_planner_token = fields.Char(
        string="Planner token",
        config_parameter="shelfcast_planning.planner_token",
        groups="base.group_system",
        help="shelfcast token create --role planner: used for the users of the Planner group.",
    )
    shelfcast_approver_token = fields.Char(
        string="Approver token",
        config_parameter="shelfcast_planning.approver_token",
        groups="base.group_system",
        help="shelfcast token create --role approver: used for the users of the Approver group.",
    )
    shelfcast_executive_token = fields.Char(
        string="Executive token",
        config_parameter="shelfcast_planning.executive_token",
        groups="base.group_system",
        help="shelfcast token create --role executive (read only): used for the Executive group.",
    )
