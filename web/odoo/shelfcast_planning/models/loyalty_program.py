import json

from odoo import api, fields, models
from odoo.osv import expression

# Products per promotion read for the simulation (the Shelfcast promotion models are per category;
# a reward over more products than this is summarized, not simulated product by product).
MAX_PRODUCTS = 500

_DEPENDS = [
    "program_type",
    "date_to",
    "reward_ids",
    "reward_ids.reward_type",
    "reward_ids.discount",
    "reward_ids.discount_mode",
    "reward_ids.discount_applicability",
    "reward_ids.discount_product_ids",
    "reward_ids.discount_product_category_id",
    "reward_ids.discount_product_tag_id",
    "reward_ids.discount_product_domain",
    "reward_ids.reward_product_id",
    "reward_ids.reward_product_tag_id",
    "reward_ids.reward_product_qty",
    "reward_ids.required_points",
    "rule_ids",
    "rule_ids.product_ids",
    "rule_ids.product_category_id",
    "rule_ids.product_tag_id",
    "rule_ids.product_domain",
    "rule_ids.minimum_qty",
]


def _first_method(record, *names):
    for name in names:
        method = getattr(record, name, None)
        if callable(method):
            return method
    return None


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    shelfcast_promotion = fields.Char(
        string="Shelfcast uplift",
        compute="_compute_shelfcast_promotion",
        help="The program as Shelfcast simulates it (JSON): the mechanic and depth of each reward, "
        "the internal references (default_code) of the products it applies to, and its dates. "
        "The Shelfcast uplift widget runs the simulation in the browser.",
    )

    def _shelfcast_depends(self):
        # date_from is not in every Odoo version's loyalty.program.
        return _DEPENDS + (["date_from"] if "date_from" in self._fields else [])

    def _shelfcast_products(self, domain):
        """-> (product codes, number of products, number of products without an internal reference)."""
        products = self.env["product.product"].search(domain, limit=MAX_PRODUCTS + 1)
        count = len(products) if len(products) <= MAX_PRODUCTS else self.env["product.product"].search_count(domain)
        codes = [p.default_code for p in products[:MAX_PRODUCTS] if p.default_code]
        return codes, count, len(products[:MAX_PRODUCTS]) - len(codes)

    def _shelfcast_rule_domain(self):
        """Products that trigger the program (the OR of its rules); None when a rule takes any product."""
        domains = []
        for rule in self.rule_ids:
            # A rule without products, category, tag or a real domain takes any product (some
            # versions default the domain to the saleable products).
            if not (rule.product_ids or rule.product_category_id or rule.product_tag_id) and (
                (rule.product_domain or "[]").replace(" ", "").replace('"', "'") in ("[]", "[['sale_ok','=',True]]")
            ):
                return None
            method = _first_method(rule, "_get_valid_product_domain")
            domain = method() if method else []
            if not domain:
                return None
            domains.append(domain)
        if not domains:
            return None
        return expression.OR([list(d) for d in domains])

    @api.depends(lambda self: self._shelfcast_depends())
    def _compute_shelfcast_promotion(self):
        for program in self:
            date_from = program.date_from if "date_from" in program._fields else False
            out = {
                "name": program.name or "",
                "program_type": program.program_type,
                "date_from": date_from.isoformat() if date_from else None,
                "date_to": program.date_to.isoformat() if program.date_to else None,
                "promotions": [],
                "skipped": [],
            }
            for reward in program.reward_ids:
                label = reward.description or reward.display_name or ""
                if reward.reward_type == "discount":
                    if reward.discount_mode != "percent":
                        out["skipped"].append(f"{label}: a fixed-amount discount is not simulated")
                        continue
                    if reward.discount_applicability == "cheapest":
                        out["skipped"].append(f"{label}: a discount on the cheapest product is not simulated")
                        continue
                    if reward.discount_applicability == "specific":
                        method = _first_method(reward, "_get_discount_product_domain", "_get_domain_discount_product")
                        domain = method() if method else [("id", "in", reward.discount_product_ids.ids)]
                        scope = "discounted products"
                    else:
                        domain = program._shelfcast_rule_domain()
                        scope = "products of the program's rules"
                        if domain is None:
                            out["skipped"].append(
                                f"{label}: applies to the whole order on any product; name products in "
                                "a rule or the reward to see their uplift"
                            )
                            continue
                    codes, count, without_code = program._shelfcast_products(domain)
                    out["promotions"].append({
                        "label": label,
                        "scope": scope,
                        "mechanic": "percent_off",
                        "depth": reward.discount / 100.0,
                        "codes": codes,
                        "products": count,
                        "without_code": without_code,
                    })
                elif reward.reward_type == "product" and program.program_type == "buy_x_get_y":
                    # Buy X (points = items bought), get Y free: X + Y items for the price of X.
                    paid = int(reward.required_points or 0)
                    free = int(reward.reward_product_qty or 0)
                    products = reward.reward_product_id | reward.reward_product_tag_id.product_ids
                    if paid < 1 or free < 1 or not products:
                        out["skipped"].append(f"{label}: incomplete free-product reward")
                        continue
                    codes, count, without_code = program._shelfcast_products([("id", "in", products.ids)])
                    out["promotions"].append({
                        "label": label,
                        "scope": "reward products",
                        "mechanic": "multi_buy",
                        "buy": paid + free,
                        "pay": paid,
                        "codes": codes,
                        "products": count,
                        "without_code": without_code,
                    })
                else:
                    out["skipped"].append(f"{label}: this kind of reward is not simulated")
            program.shelfcast_promotion = json.dumps(out)
