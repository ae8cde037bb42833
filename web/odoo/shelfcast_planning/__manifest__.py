# Shelfcast Planning: demand and promotion planning inside Odoo's web client. The components run
# the Shelfcast model core in the browser (WebAssembly, static/lib/, loaded lazily, never bundled)
# and talk to the Shelfcast server through this addon's proxy, which keeps the API tokens on the
# Odoo server.
{
    "name": "Shelfcast Planning",
    "version": "17.0.1.0.0",
    "summary": "Promotion what-ifs, forecast explanations, trade-offs and approvals from Shelfcast",
    "description": """
Shelfcast Planning
==================
Client actions for planners, approvers and executives (promotion simulator, forecast
explanation, executive trade-off, exception and approval inbox), a live uplift estimate on the
Discount & Loyalty program form, security groups mapped onto Odoo's sales, inventory and
purchase groups, and the settings for the Shelfcast server.
""",
    "category": "Sales/Sales",
    "author": "Shelfcast",
    "license": "Other proprietary",
    "depends": ["sale_management", "stock", "purchase", "point_of_sale", "loyalty"],
    "data": [
        "security/shelfcast_security.xml",
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/shelfcast_actions.xml",
        "views/shelfcast_menus.xml",
        "views/loyalty_program_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            # Services every component shares (REST client, number formats, the lazy WASM loader).
            "shelfcast_planning/static/src/core/*.js",
            # The OWL components, shared with the standalone page that `shelfcast serve` serves.
            "shelfcast_planning/static/src/components/**/*.js",
            "shelfcast_planning/static/src/components/**/*.css",
            # Odoo-only glue: client actions, the loyalty.program field widget, the API proxy client.
            "shelfcast_planning/static/src/odoo/*.js",
            "shelfcast_planning/static/src/odoo/*.css",
        ],
    },
    "installable": True,
    "application": True,
}
