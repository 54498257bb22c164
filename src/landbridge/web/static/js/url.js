// The page's state in its URL (?from=…&to=…&feu=…), so a reload or a shared link shows the same
// answer. Only the keys listed here are read or written; empty values are left out.
export const QUERY_KEYS = ["from", "to", "via", "size", "unit", "tpt", "depart", "corridor", "avoid", "per", "opt", "tab", "a", "b", "ra", "rb"];

export function readQuery() {
  const params = new URLSearchParams(window.location.search);
  return Object.fromEntries(QUERY_KEYS.filter((k) => params.has(k)).map((k) => [k, params.get(k)]));
}

// Merge ``changes`` into the URL (null or "" removes a key) without reloading or adding history.
export function updateQuery(changes) {
  const params = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") params.delete(k);
    else params.set(k, String(v));
  }
  const query = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
}
