#!/usr/bin/env python3
"""Checks of the Odoo addon web/odoo/shelfcast_planning without an Odoo.

  python3 tests/web/addon.test.py [--addon DIR] [--require-lib] [--self-test]

- Manifest: parses with ast.literal_eval; required keys, version (17.0/18.0.x.y.z), a license
  Odoo accepts, the dependencies; every data file exists and every XML file is loaded.
- Assets: every path or glob names existing files, none of static/lib (it loads lazily).
- JS: every module starts with @odoo-module, parses (with node, when installed), and its
  @shelfcast_planning/... and relative imports resolve to bundled files that export the names
  imported; @web/ imports are modules Odoo 17/18 ship. The explain view's series preparation and
  backtest scoring (components/explain/weekly.js) match backtest.h on numbers worked by hand.
- XML and CSV: well-formed; every xml id referenced (ref="...", ref('...'), groups, parent,
  action, CSV :id columns) is defined by the addon or is one of the Odoo ids listed below; every
  shelfcast_* field a view names is defined by the addon's Python; client action tags and field
  widgets of the XML are registered in JS and the other way round; menu icons exist.
- Python: compiles, and the controller and models run against stand-ins for Odoo: the proxy's
  token per role, its CSRF header, path and error handling against a stand-in Shelfcast server;
  the loyalty.program compute on fake programs.
- With --require-lib (after the WASM build): static/lib holds shelfcast_core.js,
  shelfcast_core.wasm and shelfcast.js (the current wasm/shelfcast.js), kept out of git.

--self-test copies the addon to a temporary directory, breaks it in each way listed in
mutations() (a missing asset, a broken import, an unknown group, a malformed XML file, an
unregistered client action, a wrong token per role...) and exits 0 only when every break is caught.

Exit status: 0 when every check passes, 1 when one fails, 2 on bad usage.
"""

import argparse
import ast
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDON_NAME = "shelfcast_planning"
DEFAULT_ADDON = os.path.join(REPO, "web", "odoo", ADDON_NAME)

REQUIRED_KEYS = ("name", "version", "license", "depends", "data", "assets", "installable")
REQUIRED_DEPENDS = ("sale_management", "stock", "purchase", "point_of_sale", "loyalty")
# odoo/modules/module.py: the licenses Odoo accepts in a manifest.
ODOO_LICENSES = ("GPL-2", "GPL-2 or any later version", "GPL-3", "GPL-3 or any later version",
                 "AGPL-3", "LGPL-3", "Other OSI approved licence", "OEEL-1", "OPL-1",
                 "Other proprietary")
VERSION = re.compile(r"^(17|18)\.0\.\d+\.\d+\.\d+$")

# Xml ids of Odoo 17/18 (checked against Odoo's sources) that the addon may reference.
KNOWN_ODOO_IDS = {
    "base.group_user", "base.group_system", "base.user_root", "base.user_admin",
    "base.res_config_settings_view_form",
    "sales_team.group_sale_salesman", "sales_team.group_sale_salesman_all_leads",
    "sales_team.group_sale_manager",
    "stock.group_stock_user", "stock.group_stock_manager",
    "purchase.group_purchase_user", "purchase.group_purchase_manager",
    "point_of_sale.group_pos_user", "point_of_sale.group_pos_manager",
    "loyalty.loyalty_program_view_form", "loyalty.model_loyalty_program",
}
# @web/ modules of Odoo 17/18 the components may import (the standalone page shims the same).
KNOWN_WEB_MODULES = {"@web/core/registry", "@web/core/assets", "@web/core/l10n/translation"}
# Models the addon extends (their fields come from Odoo or from the addon's Python).
LIB_FILES = ("shelfcast_core.js", "shelfcast_core.wasm", "shelfcast.js")

IMPORT_RE = re.compile(r"""^\s*(?:import|export)\s[^'"]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']""",
                       re.MULTILINE)
NAMED_IMPORT_RE = re.compile(r"""^\s*import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']""", re.MULTILINE)
DYNAMIC_IMPORT_RE = re.compile(r"""\bimport\(\s*["']([^"']+)["']\s*\)""")
ACTION_ADD_RE = re.compile(r"""registry\.category\(\s*["']actions["']\s*\)\.add\(\s*["']([^"']+)["']""")
FIELD_ADD_RE = re.compile(r"""registry\.category\(\s*["']fields["']\s*\)\.add\(\s*["']([^"']+)["']""")
PY_REF_RE = re.compile(r"""\bref\(\s*["']([^"']+)["']\s*\)""")
PY_FIELD_RE = re.compile(r"""^\s+(\w+)\s*=\s*fields\.\w+\(""", re.MULTILINE)
PY_INHERIT_RE = re.compile(r"""_inherit\s*=\s*["']([\w.]+)["']""")


class Checker:
    def __init__(self, addon, require_lib, quiet=False):
        self.addon = os.path.abspath(addon)
        self.addons_path = os.path.dirname(self.addon)
        self.require_lib = require_lib
        self.quiet = quiet
        self.failures = []
        self.passed = 0
        # JS syntax is checked with node when it is there (scripts/bootstrap installs it).
        self.node = shutil.which("node")

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
            if not self.quiet:
                print(f"FAIL {what}")
        return ok

    def rel(self, path):
        return os.path.relpath(path, self.addon)

    # ---- manifest -----------------------------------------------------------------------------

    def manifest(self):
        path = os.path.join(self.addon, "__manifest__.py")
        if not self.check(os.path.isfile(path), "__manifest__.py exists"):
            return None
        try:
            manifest = ast.literal_eval(open(path, encoding="utf-8").read())
        except (ValueError, SyntaxError) as error:
            self.check(False, f"__manifest__.py parses with ast.literal_eval: {error}")
            return None
        if not self.check(isinstance(manifest, dict), "__manifest__.py is a dict"):
            return None
        for key in REQUIRED_KEYS:
            self.check(key in manifest, f"manifest has '{key}'")
        self.check(bool(VERSION.match(str(manifest.get("version", "")))),
                   f"manifest version {manifest.get('version')!r} looks like 17.0.x.y.z or 18.0.x.y.z")
        self.check(manifest.get("license") in ODOO_LICENSES,
                   f"manifest license {manifest.get('license')!r} is one Odoo accepts")
        depends = manifest.get("depends", [])
        for dep in REQUIRED_DEPENDS:
            self.check(dep in depends, f"manifest depends on {dep}")
        return manifest

    def data_files(self, manifest):
        for entry in manifest.get("data", []) + manifest.get("demo", []):
            self.check(os.path.isfile(os.path.join(self.addon, entry)), f"data file {entry} exists")
        xml_files = glob.glob(os.path.join(self.addon, "**", "*.xml"), recursive=True)
        for path in xml_files:
            loaded = self.rel(path) in manifest.get("data", [])
            self.check(loaded, f"{self.rel(path)} is loaded by the manifest's data")

    def assets(self, manifest):
        bundled = set()
        assets = manifest.get("assets", {})
        self.check("web.assets_backend" in assets, "manifest assets name web.assets_backend")
        for bundle, entries in assets.items():
            for entry in entries:
                spec = entry[-1] if isinstance(entry, (list, tuple)) else entry
                spec = spec.lstrip("/")
                if not self.check(spec.startswith(ADDON_NAME + "/"),
                                  f"asset {spec} of {bundle} lies in the addon"):
                    continue
                matches = [p for p in glob.glob(os.path.join(self.addons_path, spec), recursive=True)
                           if os.path.isfile(p)]
                self.check(bool(matches), f"asset {spec} of {bundle} matches files")
                self.check("/static/lib/" not in spec,
                           f"asset {spec}: the WASM build (static/lib) loads lazily, never bundled")
                bundled.update(os.path.abspath(p) for p in matches)
        return bundled

    # ---- code ---------------------------------------------------------------------------------

    def python(self):
        for path in glob.glob(os.path.join(self.addon, "**", "*.py"), recursive=True):
            try:
                compile(open(path, encoding="utf-8").read(), path, "exec")
                self.check(True, "")
            except SyntaxError as error:
                self.check(False, f"{self.rel(path)} compiles: {error.msg} (line {error.lineno})")

    def javascript(self, bundled):
        src = os.path.join(self.addon, "static", "src")
        actions, widgets = set(), set()
        for path in glob.glob(os.path.join(src, "**", "*.js"), recursive=True):
            text = open(path, encoding="utf-8").read()
            name = self.rel(path)
            self.check(text.lstrip().startswith("/** @odoo-module **/"), f"{name} starts with /** @odoo-module **/")
            if self.node:
                parsed = subprocess.run([self.node, "--input-type=module", "--check"], input=text.encode(),
                                        capture_output=True)
                self.check(parsed.returncode == 0,
                           f"{name} parses as an ES module: " + " | ".join(
                               l.strip() for l in parsed.stderr.decode(errors="replace").splitlines()
                               if l.strip() and not l.strip().startswith("at "))[:300])
            self.check(os.path.abspath(path) in bundled, f"{name} is in a manifest asset bundle")
            specs = [a or b for a, b in IMPORT_RE.findall(text)] + DYNAMIC_IMPORT_RE.findall(text)
            targets = {}
            for spec in specs:
                if spec == "@odoo/owl":
                    continue
                if spec.startswith("@web/"):
                    self.check(spec in KNOWN_WEB_MODULES, f"{name}: import {spec} is a known Odoo module")
                    continue
                if spec.startswith(f"@{ADDON_NAME}/"):
                    target = os.path.join(src, spec[len(ADDON_NAME) + 2:] + ".js")
                elif spec.startswith("."):
                    target = os.path.normpath(os.path.join(os.path.dirname(path), spec))
                    if not target.endswith(".js"):
                        target += ".js"
                else:
                    self.check(False, f"{name}: import {spec} is neither @odoo/owl, @web/ nor the addon's")
                    continue
                if self.check(os.path.isfile(target), f"{name}: import {spec} resolves to a file"):
                    self.check(os.path.abspath(target) in bundled,
                               f"{name}: import {spec} is in a manifest asset bundle")
                    targets[spec] = target
            # Named imports of the addon's own modules must be exported there.
            for names, spec in NAMED_IMPORT_RE.findall(text):
                if spec not in targets:
                    continue
                exported = open(targets[spec], encoding="utf-8").read()
                for item in names.split(","):
                    wanted = item.strip().split(" as ")[0].strip()
                    if not wanted:
                        continue
                    found = re.search(rf"export\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+{re.escape(wanted)}\b",
                                      exported) or re.search(rf"export\s*\{{[^}}]*\b{re.escape(wanted)}\b", exported)
                    self.check(bool(found), f"{name}: {{ {wanted} }} is exported by {spec}")
            actions.update(ACTION_ADD_RE.findall(text))
            widgets.update(FIELD_ADD_RE.findall(text))
        return actions, widgets

    # ---- xml ids, fields, actions, widgets ------------------------------------------------------

    def xml(self, actions_js, widgets_js):
        defined, referenced = set(), []
        tags_xml, widgets_xml, view_fields = set(), set(), []
        for path in sorted(glob.glob(os.path.join(self.addon, "**", "*.xml"), recursive=True)):
            name = self.rel(path)
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as error:
                self.check(False, f"{name} is well-formed XML: {error}")
                continue
            self.check(True, "")
            for el in root.iter():
                if el.get("id") and el.tag in ("record", "menuitem", "template"):
                    xid = el.get("id")
                    defined.add(xid if "." in xid else f"{ADDON_NAME}.{xid}")
                for attr in ("ref", "inherit_id", "parent", "action", "groups"):
                    value = el.get(attr)
                    if value and el.tag != "setting":
                        for ref in value.split(","):
                            ref = ref.strip().lstrip("!")
                            if ref and not ref.startswith("%("):
                                referenced.append((name, ref))
                if el.get("eval"):
                    referenced.extend((name, r) for r in PY_REF_RE.findall(el.get("eval")))
            for menu in root.iter("menuitem"):
                if menu.get("web_icon"):
                    module, _, icon = menu.get("web_icon").partition(",")
                    self.check(module == ADDON_NAME and os.path.isfile(os.path.join(self.addon, icon)),
                               f"{name}: menu icon {menu.get('web_icon')} exists")
            for record in root.iter("record"):
                if record.get("model") == "ir.actions.client":
                    for field in record.iter("field"):
                        if field.get("name") == "tag":
                            tags_xml.add((field.text or "").strip())
                if record.get("model") == "ir.ui.view":
                    model = next((f.text for f in record.iter("field") if f.get("name") == "model"), "")
                    arch = next((f for f in record.iter("field") if f.get("name") == "arch"), None)
                    if arch is not None:
                        for field in arch.iter("field"):
                            if field.get("widget"):
                                widgets_xml.add(field.get("widget"))
                            view_fields.append((name, model, field.get("name")))
        for name, ref in referenced:
            full = ref if "." in ref else f"{ADDON_NAME}.{ref}"
            self.check(full in defined or full in KNOWN_ODOO_IDS,
                       f"{name}: xml id {ref} is defined by the addon or a known Odoo id")
        for path in glob.glob(os.path.join(self.addon, "**", "*.csv"), recursive=True):
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            for row in rows:
                for column, value in row.items():
                    if column and column.endswith(":id") and value:
                        full = value if "." in value else f"{ADDON_NAME}.{value}"
                        # model_<name> ids come from the addon's Python models (_name).
                        self.check(full in defined or full in KNOWN_ODOO_IDS or self.defines_model(value),
                                   f"{self.rel(path)}: {column} {value} is defined")
        # Fields the addon's views name on the models it extends: shelfcast_* ones must be defined
        # in its Python (Odoo's own fields are Odoo's business).
        py_fields = self.python_fields()
        for name, model, field in view_fields:
            if field and field.startswith("shelfcast_"):
                self.check(field in py_fields.get(model, set()),
                           f"{name}: field {field} of {model} is defined by the addon's Python")
        self.check(tags_xml == actions_js,
                   f"client action tags of the XML {sorted(tags_xml)} are the ones registered in JS {sorted(actions_js)}")
        for widget in widgets_xml:
            self.check(widget in widgets_js, f"field widget {widget} of the XML is registered in JS")
        for widget in widgets_js:
            self.check(widget in widgets_xml, f"field widget {widget} registered in JS is used by a view")

    def python_fields(self):
        fields = {}
        for path in glob.glob(os.path.join(self.addon, "models", "*.py")):
            text = open(path, encoding="utf-8").read()
            inherit = PY_INHERIT_RE.search(text)
            if inherit:
                fields.setdefault(inherit.group(1), set()).update(PY_FIELD_RE.findall(text))
        return fields

    def defines_model(self, value):
        if not value.startswith("model_"):
            return False
        wanted = value[len("model_"):]
        for path in glob.glob(os.path.join(self.addon, "models", "*.py")):
            for model in re.findall(r"""_name\s*=\s*["']([\w.]+)["']""", open(path, encoding="utf-8").read()):
                if model.replace(".", "_") == wanted:
                    return True
        return False

    # ---- the WASM build -------------------------------------------------------------------------

    def lib(self):
        lib = os.path.join(self.addon, "static", "lib")
        for name in LIB_FILES:
            path = os.path.join(lib, name)
            if not self.check(os.path.isfile(path) and os.path.getsize(path) > 0,
                              f"static/lib/{name} exists (built by the wasm build's shelfcast_addon_lib target)"):
                continue
            data = open(path, "rb").read()
            if name.endswith(".wasm"):
                self.check(data[:4] == b"\0asm", "static/lib/shelfcast_core.wasm is WebAssembly")
            elif name == "shelfcast_core.js":
                self.check(b"createShelfcastCore" in data, "static/lib/shelfcast_core.js defines createShelfcastCore")
            else:
                source = open(os.path.join(REPO, "wasm", "shelfcast.js"), "rb").read()
                self.check(data == source, "static/lib/shelfcast.js is the current wasm/shelfcast.js")
        ignore = os.path.join(self.addon, ".gitignore")
        self.check(os.path.isfile(ignore) and "/static/lib/" in open(ignore, encoding="utf-8").read().split(),
                   "the addon's .gitignore keeps static/lib out of git")

    def python_runtime(self):
        """Imports the controller and models against stand-ins for Odoo and runs them."""
        with tempfile.TemporaryDirectory() as tmp:
            for rel, text in STUBS.items():
                path = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "w", encoding="utf-8").write(text)
            os.symlink(self.addon, os.path.join(tmp, "odoo", "addons", ADDON_NAME))
            env = dict(os.environ, PYTHONPATH=tmp, PYTHONDONTWRITEBYTECODE="1")
            run = subprocess.run([sys.executable, "-c", RUNTIME_SCRIPT], capture_output=True, text=True,
                                 env=env, timeout=120)
            lines = [l for l in run.stdout.splitlines() if l.startswith(("ok ", "FAIL "))]
            for line in lines:
                self.check(line.startswith("ok "), f"python: {line[5:]}" if line.startswith("FAIL") else "")
            self.check(run.returncode == 0 and lines,
                       f"the addon's Python runs against stand-ins for Odoo: {run.stderr.strip()[-400:]}")

    def js_metrics(self):
        """The explain view's series preparation and backtest scoring on numbers worked by hand."""
        weekly = os.path.join(self.addon, "static", "src", "components", "explain", "weekly.js")
        if not (self.node and os.path.isfile(weekly)):
            return
        script = WEEKLY_SCRIPT.replace("@WEEKLY@", "file://" + weekly)
        run = subprocess.run([self.node, "--input-type=module", "-e", script], capture_output=True, text=True,
                             timeout=60)
        lines = [l for l in run.stdout.splitlines() if l.startswith(("ok ", "FAIL "))]
        for line in lines:
            self.check(line.startswith("ok "), f"weekly.js: {line[5:]}" if line.startswith("FAIL") else "")
        self.check(run.returncode == 0 and bool(lines), f"weekly.js runs under node: {run.stderr.strip()[-300:]}")

    def run(self):
        manifest = self.manifest()
        if manifest is None:
            return False
        self.data_files(manifest)
        bundled = self.assets(manifest)
        self.python()
        if not self.failures:
            self.python_runtime()
        actions, widgets = self.javascript(bundled)
        self.js_metrics()
        self.xml(actions, widgets)
        if self.require_lib:
            self.lib()
        return not self.failures


# ---- the addon's Python, run against stand-ins for Odoo (no Odoo here) ---------------------------

STUBS = {
    "odoo/__init__.py": """
class _Field:
    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs
class fields:
    Char = Date = Float = Integer = Boolean = _Field
class api:
    @staticmethod
    def depends(*names):
        def deco(f):
            f._depends = names
            return f
        return deco
    @staticmethod
    def model(f):
        return f
class models:
    class Model: pass
    class TransientModel: pass
    class AbstractModel: pass
def _(text):
    return text
""",
    "odoo/exceptions.py": "class AccessError(Exception):\n    pass\nclass UserError(Exception):\n    pass\n",
    "odoo/osv/__init__.py": "",
    "odoo/osv/expression.py": """
def OR(domains):
    out = []
    for i, d in enumerate(domains):
        out = (['|'] + out + list(d)) if i else list(d)
    return out
""",
    "odoo/http.py": """
class Controller: pass
def route(*args, **kwargs):
    def deco(f):
        f.routing = kwargs
        f.routes = args
        return f
    return deco
class Response:
    def __init__(self, data, headers, status):
        self.data, self.headers, self.status = data, dict(headers or []), status
class Request:
    env = None
    httprequest = None
    def make_response(self, data, headers=None, cookies=None, status=200):
        return Response(data, headers, status)
request = Request()
""",
    "odoo/addons/__init__.py": "",
    # The controller's HTTP client, on urllib (the real `requests` need not be installed here).
    "requests/__init__.py": """
import urllib.error, urllib.request
class RequestException(Exception): pass
class _Answer:
    def __init__(self, status, content, headers):
        self.status_code, self.content, self.headers = status, content, headers
def request(method, url, data=None, headers=None, timeout=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return _Answer(r.status, r.read(), dict(r.headers))
    except urllib.error.HTTPError as e:
        return _Answer(e.code, e.read(), dict(e.headers))
    except (urllib.error.URLError, OSError) as e:
        raise RequestException(str(e))
""",
}

RUNTIME_SCRIPT = r"""
import datetime, http.server, json, sys, threading
from odoo import http as odoo_http
from odoo.addons.shelfcast_planning.controllers import main as ctl
from odoo.addons.shelfcast_planning.models import loyalty_program as lp

failures = 0
def check(ok, what):
    global failures
    print(("ok " if ok else "FAIL ") + what)
    failures += 0 if ok else 1

# -- a stand-in Shelfcast server that records what the proxy sends
seen = []
class Upstream(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        seen.append({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                     "body": self.rfile.read(n) if n else b""})
        status = 404 if "missing" in self.path else 200
        body = json.dumps({"error": {"code": "not_found", "message": "no such thing"}} if status == 404 else {"ok": True}).encode()
        self.send_response(status); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    do_GET = do_POST = answer
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

class Params:
    def __init__(self, values): self.values = values
    def sudo(self): return self
    def get_param(self, key): return self.values.get(key)
class User:
    def __init__(self, groups): self.groups = set(groups)
    def has_group(self, group): return group in self.groups
class Env(dict): pass
class HttpRequest:
    def __init__(self, method, headers, body, query):
        self.method, self.headers, self._body, self.query_string = method, headers, body, query
    def get_data(self): return self._body
TOKENS = {"shelfcast_planning.server_url": base + "/", "shelfcast_planning.planner_token": "tok-planner",
          "shelfcast_planning.approver_token": "tok-approver", "shelfcast_planning.executive_token": "tok-exec"}
G = "shelfcast_planning.group_shelfcast_"
def call(path, method="GET", groups=(G + "planner", G + "executive"), headers=None, body=b"", query=b"", params=TOKENS):
    env = Env({"ir.config_parameter": Params(params)})
    env.user = User(groups)
    odoo_http.request.env = env
    odoo_http.request.httprequest = HttpRequest(method, {"X-Shelfcast-Client": "1"} if headers is None else headers, body, query)
    seen.clear()
    r = ctl.ShelfcastProxy().proxy(path)
    data = r.data.decode() if isinstance(r.data, bytes) else r.data
    return r.status, json.loads(data), (seen[0] if seen else None)

route = ctl.ShelfcastProxy.proxy.routing
check(route.get("auth") == "user" and set(route.get("methods", [])) == {"GET", "POST"}, "the proxy route needs a signed-in user, GET and POST only")
status, body, up = call("whoami")
check(status == 200 and up and up["auth"] == "Bearer tok-planner" and up["path"] == "/api/v1/whoami", f"a planner calls with the planner token ({status}, {up})")
status, body, up = call("whoami", groups=(G + "approver", G + "planner", G + "executive"))
check(up and up["auth"] == "Bearer tok-approver", "an approver calls with the approver token (the strongest group)")
status, body, up = call("whoami", groups=(G + "executive",))
check(up and up["auth"] == "Bearer tok-exec", "an executive calls with the executive token")
status, body, up = call("whoami", groups=("base.group_user",))
check(status == 403 and up is None and body["error"]["code"] == "permission_denied", "a user without a Shelfcast group gets 403 and nothing is forwarded")
status, body, up = call("whoami", headers={})
check(status == 400 and up is None, "a call without the X-Shelfcast-Client header is refused (CSRF)")
status, body, up = call("whoami", params={"shelfcast_planning.server_url": base})
check(status == 503 and up is None and "Settings" in body["error"]["message"], "without a token the proxy says Shelfcast is not configured")
for bad in ("../health", "a/../../x", "./x", "a/\x00"):
    status, body, up = call(bad)
    check(status == 404 and up is None, f"path {bad!r} is refused")
status, body, up = call("promo/models/Pasta & Rice")
check(up and up["path"] == "/api/v1/promo/models/Pasta%20%26%20Rice", f"a decoded path is quoted again ({up and up['path']})")
status, body, up = call("series", query=b"product=P1&store=S1")
check(up and up["path"] == "/api/v1/series?product=P1&store=S1", "the query string is forwarded")
status, body, up = call("approvals/7/approve", method="POST", body=b'{"comment":"ok"}')
check(up and up["method"] == "POST" and up["body"] == b'{"comment":"ok"}', "a POST body is forwarded as is")
status, body, up = call("missing")
check(status == 404 and body["error"]["message"] == "no such thing", "the server's error answer comes back with its status")
server.shutdown()
status, body, up = call("whoami", params=dict(TOKENS, **{"shelfcast_planning.server_url": "http://127.0.0.1:9"}))
check(status == 502 and body["error"]["code"] == "unavailable", f"an unreachable server is a 502 in the server's error format ({status})")

# -- the loyalty.program compute
class RS(list):
    @property
    def ids(self): return [r.id for r in self]
    def __or__(self, other): return RS(list(self) + [x for x in other if x not in self])
class Obj:
    def __init__(self, **kw): self.__dict__.update(kw)
PRODUCTS = [Obj(id=1, default_code="P1"), Obj(id=2, default_code="P2"), Obj(id=3, default_code=False), Obj(id=4, default_code="P4")]
class Products:
    def search(self, domain, limit=None):
        ids = next((t[2] for t in domain if isinstance(t, tuple) and t[0] == "id"), None)
        found = RS(p for p in PRODUCTS if ids is None or p.id in ids)
        return RS(found[:limit]) if limit else found
    def search_count(self, domain): return len(self.search(domain))
def reward(**kw):
    d = dict(reward_type="discount", discount=25.0, discount_mode="percent", discount_applicability="specific",
             discount_product_ids=RS(PRODUCTS[:3]), description="25% off", display_name="", required_points=0,
             reward_product_qty=0, reward_product_id=RS(), reward_product_tag_id=Obj(product_ids=RS()))
    d.update(kw)
    r = Obj(**d)
    r._get_discount_product_domain = lambda: [("id", "in", r.discount_product_ids.ids)]
    return r
def rule(**kw):
    d = dict(product_ids=RS(), product_category_id=RS(), product_tag_id=RS(), product_domain="[]", minimum_qty=1)
    d.update(kw)
    r = Obj(**d)
    r._get_valid_product_domain = lambda: [("id", "in", r.product_ids.ids)] if r.product_ids else []
    return r
class Program(lp.LoyaltyProgram):
    _fields = {"date_from": None}
    def __init__(self, **kw):
        self.__dict__.update(dict(name="Spring", program_type="promotion", date_from=datetime.date(2025, 6, 2),
                                  date_to=datetime.date(2025, 6, 29), env={"product.product": Products()},
                                  rule_ids=RS([rule()])))
        self.__dict__.update(kw)
    def __iter__(self): return iter([self])
def computed(**kw):
    p = Program(**kw)
    p._compute_shelfcast_promotion()
    return json.loads(p.shelfcast_promotion)
out = computed(reward_ids=[reward()])
promo = out["promotions"][0]
check(promo["mechanic"] == "percent_off" and promo["depth"] == 0.25 and promo["codes"] == ["P1", "P2"]
      and promo["products"] == 3 and promo["without_code"] == 1, f"a 25% discount on named products ({promo})")
check(out["date_from"] == "2025-06-02" and out["date_to"] == "2025-06-29", "the program's dates")
out = computed(reward_ids=[reward(discount_mode="per_order", description="5 off")])
check(not out["promotions"] and "fixed-amount" in out["skipped"][0], "a fixed-amount discount is named as not simulated")
out = computed(reward_ids=[reward(discount_applicability="order")])
check(not out["promotions"] and "whole order" in out["skipped"][0], "an order-wide discount on any product is named as not simulated")
out = computed(reward_ids=[reward(discount_applicability="order")], rule_ids=RS([rule(product_domain="[['sale_ok', '=', True]]")]))
check(not out["promotions"], "a rule on the saleable products is any product")
out = computed(reward_ids=[reward(discount_applicability="order")], rule_ids=RS([rule(product_ids=RS([PRODUCTS[3]]))]))
check(out["promotions"] and out["promotions"][0]["codes"] == ["P4"], "an order discount triggered by named products simulates those")
out = computed(program_type="buy_x_get_y", reward_ids=[reward(reward_type="product", required_points=2, reward_product_qty=1,
                                                               reward_product_id=RS([PRODUCTS[0]]))])
promo = out["promotions"][0] if out["promotions"] else {}
check(promo.get("mechanic") == "multi_buy" and promo.get("buy") == 3 and promo.get("pay") == 2, f"buy 2 get 1 is buy 3 pay 2 ({promo})")
check("date_from" in Program()._shelfcast_depends() and all(isinstance(d, str) for d in Program()._shelfcast_depends()),
      "the compute depends on the program's dates, rules and rewards")
sys.exit(1 if failures else 0)
"""


# backtest.h's definitions on a series worked by hand: 70 weeks alternating 10 and 20 units; the
# forecast is the actual plus one everywhere, its 80% interval +-2 around the forecast.
WEEKLY_SCRIPT = r"""
import { backtestPlan, prepareSeries, runBacktest } from "@WEEKLY@";
let failures = 0;
const check = (ok, what) => { console.log((ok ? "ok " : "FAIL ") + what); if (!ok) failures += 1; };
const near = (a, b) => Math.abs(a - b) < 1e-12;
const day = (i) => new Date(Date.UTC(2024, 0, 1) + i * 7 * 86400000).toISOString().slice(0, 10);
const prepared = prepareSeries([
  { week: day(0), units: 3, complete: false }, { week: day(1), units: 5 }, { week: day(3), units: 7 },
  { week: day(4), units: 1, complete: false }]);
check(prepared.rows.map((r) => r.units).join() === "5,0,7" && prepared.filled === 1 && prepared.partial === 2,
      "partial edge weeks are left out and a missing week counts as zero");
let threw = false;
try { prepareSeries([{ week: day(2), units: 1 }, { week: day(1), units: 1 }]); } catch { threw = true; }
check(threw, "weeks out of order are refused");
const rows = Array.from({ length: 70 }, (_, i) => ({ week: day(i), units: i % 2 ? 20 : 10 }));
const plan = backtestPlan(rows, 13);
check(plan && plan.horizon === 13 && plan.origins.join() === "45,49,53,57",
      `70 weeks, 13 ahead: four origins four weeks apart, the last leaving 13 weeks (${JSON.stringify(plan)})`);
const short = backtestPlan(rows.slice(0, 45), 13);
check(short && short.origins.join() === "28,32", `45 weeks: as many origins as leave 26 weeks to train on (${JSON.stringify(short)})`);
check(backtestPlan(rows.slice(0, 38), 13) === null, "38 weeks are too few for a backtest");
const m = runBacktest(rows, plan, 52, (history, planned, h) => {
  const mean = rows.slice(history.length, history.length + h).map((r) => r.units + 1);
  return { model: "Test", mean, intervals: [{ level: 80, lower: mean.map((x) => x - 2), upper: mean.map((x) => x + 2) }] };
});
const actual = plan.origins.flatMap((end) => rows.slice(end, end + 13)).reduce((a, r) => a + r.units, 0);
check(m.n === 52 && near(m.wape, 52 / actual) && near(m.bias, 52 / actual),
      `WAPE and bias are sum|f - y| / sum|y| and sum(f - y) / sum|y| (${m.wape}, ${m.bias})`);
check(near(m.mase, 0.1), `MASE scales by the lag-1 mean absolute change of a short history (${m.mase})`);
check(m.coverage === 1 && m.models.join() === "Test", "interval coverage and the models used");
process.exit(failures ? 1 : 0);
"""


# ---- self-test: every kind of break must be caught ----------------------------------------------

def replace_in(path, old, new):
    text = open(path, encoding="utf-8").read()
    if old not in text:
        raise SystemExit(f"self-test: '{old}' not found in {path}: update the self-test")
    open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))


def mutations(addon):
    src = os.path.join(addon, "static", "src")
    return [
        ("an asset glob that matches nothing",
         lambda: replace_in(os.path.join(addon, "__manifest__.py"), "static/src/odoo/*.css", "static/src/odoo/*.scss")),
        ("a component file moved away",
         lambda: os.rename(os.path.join(src, "components", "explain", "weekly.js"),
                           os.path.join(src, "components", "explain", "weekly_old.js"))),
        ("an import of a module that does not exist",
         lambda: replace_in(os.path.join(src, "odoo", "client_actions.js"),
                            "@shelfcast_planning/odoo/odoo_api", "@shelfcast_planning/odoo/odoo_apis")),
        ("an unknown @web module",
         lambda: replace_in(os.path.join(src, "odoo", "client_actions.js"),
                            "@web/core/registry", "@web/core/registries")),
        ("an import of a name the module does not export",
         lambda: replace_in(os.path.join(src, "odoo", "promo_uplift_field.js"), "  mechanicText,\n", "  mechanicWords,\n")),
        ("a JS syntax error",
         lambda: replace_in(os.path.join(src, "components", "inbox", "approval_inbox.js"),
                            "async load() {", "async load() {{")),
        ("a backtest that scores the wrong weeks",
         lambda: replace_in(os.path.join(src, "components", "explain", "weekly.js"),
                            "const actual = rows.slice(end, end + plan.horizon);",
                            "const actual = rows.slice(end - 1, end - 1 + plan.horizon);")),
        ("a data file missing",
         lambda: os.remove(os.path.join(addon, "views", "shelfcast_menus.xml"))),
        ("a malformed XML file",
         lambda: replace_in(os.path.join(addon, "views", "shelfcast_actions.xml"), "</odoo>", "</odo>")),
        ("a group implied by a wrong xml id",
         lambda: replace_in(os.path.join(addon, "security", "shelfcast_security.xml"),
                            "stock.group_stock_user", "stock.group_stock_users")),
        ("a client action tag nobody registers",
         lambda: replace_in(os.path.join(addon, "views", "shelfcast_actions.xml"),
                            "shelfcast_planning.inbox", "shelfcast_planning.inbox2")),
        ("a view field the Python does not define",
         lambda: replace_in(os.path.join(addon, "views", "loyalty_program_views.xml"),
                            'name="shelfcast_promotion"', 'name="shelfcast_promotions"')),
        ("an ACL row for a group that does not exist",
         lambda: open(os.path.join(addon, "security", "ir.model.access.csv"), "a", encoding="utf-8").write(
             "access_x,x,loyalty.model_loyalty_program,group_shelfcast_nobody,1,0,0,0\n")),
        ("a manifest that is not a literal",
         lambda: replace_in(os.path.join(addon, "__manifest__.py"), '"installable": True', '"installable": bool(1)')),
        ("a dependency dropped",
         lambda: replace_in(os.path.join(addon, "__manifest__.py"), '"point_of_sale", ', "")),
        ("a Python syntax error",
         lambda: replace_in(os.path.join(addon, "controllers", "main.py"), "def proxy(self", "def proxy(self,,")),
        ("the proxy using another role's token",
         lambda: replace_in(os.path.join(addon, "models", "res_config_settings.py"),
                            '"shelfcast_planning.group_shelfcast_approver", "shelfcast_planning.approver_token"',
                            '"shelfcast_planning.group_shelfcast_approver", "shelfcast_planning.planner_token"')),
        ("a compute that misreads the discount",
         lambda: replace_in(os.path.join(addon, "models", "loyalty_program.py"),
                            '"depth": reward.discount / 100.0', '"depth": reward.discount')),
        ("the WASM build missing from static/lib",
         lambda: os.remove(os.path.join(addon, "static", "lib", "shelfcast_core.wasm"))),
    ]


def self_test(addon):
    lib = os.path.join(addon, "static", "lib")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, ADDON_NAME)
        baseline_ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(addon, copy, ignore=baseline_ignore)
        # The self-test needs a static/lib to break: stand-ins with the right shape.
        os.makedirs(os.path.join(copy, "static", "lib"), exist_ok=True)
        if not all(os.path.isfile(os.path.join(lib, f)) for f in LIB_FILES):
            open(os.path.join(copy, "static", "lib", "shelfcast_core.wasm"), "wb").write(b"\0asm\1\0\0\0")
            open(os.path.join(copy, "static", "lib", "shelfcast_core.js"), "w").write("var createShelfcastCore;\n")
            shutil.copy(os.path.join(REPO, "wasm", "shelfcast.js"), os.path.join(copy, "static", "lib"))
        baseline = Checker(copy, require_lib=True, quiet=True)
        if not baseline.run():
            print("FAIL self-test: the unbroken copy must pass first:\n  " + "\n  ".join(baseline.failures))
            return False
        print("ok self-test: the unbroken copy passes")
        for what, _ in mutations(copy):
            broken = os.path.join(tmp, "broken", ADDON_NAME)
            shutil.rmtree(os.path.dirname(broken), ignore_errors=True)
            shutil.copytree(copy, broken)
            dict(mutations(broken))[what]()
            checker = Checker(broken, require_lib=True, quiet=True)
            if not ("JS syntax" in what or "backtest" in what):
                checker.node = None  # node only matters to the JS cases (and takes a while)
            caught = not checker.run()
            ok &= caught
            print(f"{'ok' if caught else 'FAIL'} self-test: {what} is caught"
                  + (f" ({checker.failures[0]})" if caught else ""))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addon", default=DEFAULT_ADDON, help="the addon directory")
    parser.add_argument("--require-lib", action="store_true",
                        help="static/lib must hold the WASM build (run after the WASM build)")
    parser.add_argument("--self-test", action="store_true",
                        help="prove the checks catch broken copies of the addon")
    try:
        args = parser.parse_args()
    except SystemExit as exit_:
        sys.exit(2 if exit_.code else 0)
    if not os.path.isdir(args.addon):
        print(f"addon.test.py: no addon at {args.addon}", file=sys.stderr)
        sys.exit(2)
    if args.self_test:
        sys.exit(0 if self_test(args.addon) else 1)
    checker = Checker(args.addon, args.require_lib)
    ok = checker.run()
    print(f"{checker.passed} passed, {len(checker.failures)} failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
