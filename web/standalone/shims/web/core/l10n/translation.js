// Standalone stand-in for Odoo's @web/core/l10n/translation: English source strings as they are,
// with Odoo's %s placeholders filled in order.

export function _t(text, ...values) {
  let i = 0;
  return values.length ? String(text).replace(/%s/g, () => String(values[i++] ?? "")) : String(text);
}
