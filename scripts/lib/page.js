// The reader's own index on the published page (scripts/docs puts this before Redoc starts).
// Redoc shows the spec's server but has no field to change it (nor a server variable's value),
// so the page has one: "Your index" above Redoc. The address set there (kept in localStorage,
// or given as ?index= in the page's address) replaces the server's in the spec Redoc renders:
// in the server Redoc shows for the API and each operation, in every code sample, and in the
// introduction. Redoc then renders from that spec, so its Copy buttons copy it too.
(() => {
  const KEY = "hubindex.docs.index";
  const definition = __redoc_definition;
  const server = definition.servers[0];
  const DEFAULT = server.url;

  // An http(s) address without credentials, query or fragment, no trailing slash, and none of
  // the characters a shell reads between double quotes or a Python string ends on.
  function clean(text) {
    let url;
    try {
      url = new URL((text || "").trim());
    } catch {
      return null;
    }
    if (!["http:", "https:"].includes(url.protocol) || url.username || url.password) return null;
    if (url.search || url.hash) return null;
    const address = (url.origin + url.pathname).replace(/\/+$/, "");
    return /^[A-Za-z0-9._~:/%[\]-]+$/.test(address) ? address : null;
  }

  function stored() {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null; // storage refused (a sandboxed frame): the address lasts for this visit
    }
  }

  const given = new URLSearchParams(location.search).get("index");
  const index = clean(given) || clean(stored()) || DEFAULT;

  if (index !== DEFAULT) {
    const swap = (text) => text.split(DEFAULT).join(index);
    server.url = index;
    definition.info.description = swap(definition.info.description || "");
    for (const item of Object.values(definition.paths)) {
      for (const operation of Object.values(item)) {
        for (const sample of (operation && operation["x-codeSamples"]) || []) {
          sample.source = swap(sample.source);
        }
      }
    }
    // The page was rendered ahead with the default address: Redoc renders it anew.
    document.getElementById("redoc").replaceChildren();
  }

  const form = document.getElementById("hubindex-index");
  const input = document.getElementById("hubindex-index-url");
  const note = document.getElementById("hubindex-index-note");
  input.value = index;
  input.placeholder = DEFAULT;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = clean(input.value);
    if (chosen === null) {
      note.textContent = "An address such as https://index.example.com (http or https, no query).";
      return;
    }
    try {
      localStorage.setItem(KEY, chosen);
    } catch {
      // kept in the page's address below
    }
    if (chosen === index) return;
    // Redoc renders once: the page starts again with the new address, at the same place.
    const url = new URL(location.href);
    if (chosen === DEFAULT) url.searchParams.delete("index");
    else url.searchParams.set("index", chosen);
    if (url.href === location.href) location.reload();
    else location.assign(url.href);
  });
})();
