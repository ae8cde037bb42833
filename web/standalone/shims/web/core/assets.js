// Standalone stand-in for Odoo's @web/core/assets: loadJS / loadCSS add a <script> / <link> once
// per URL and resolve when it has loaded (reject with the URL when it fails).

const loaded = new Map();

function once(url, create) {
  if (!loaded.has(url)) {
    const promise = new Promise((resolve, reject) => {
      const el = create();
      el.addEventListener("load", () => resolve(true));
      el.addEventListener("error", () => {
        loaded.delete(url);
        reject(new Error(`The resource ${url} could not be loaded.`));
      });
      document.head.appendChild(el);
    });
    loaded.set(url, promise);
  }
  return loaded.get(url);
}

export function loadJS(url) {
  return once(url, () => {
    const script = document.createElement("script");
    script.src = url;
    script.type = "text/javascript";
    return script;
  });
}

export function loadCSS(url) {
  return once(url, () => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    return link;
  });
}

export async function loadBundle() {
  // The standalone page loads everything it needs from index.html; there are no Odoo bundles.
}
