// The API document for /docs and /redoc. With LANDBRIDGE_TOKEN set on the server, /openapi.json
// and every endpoint need the token: it is asked for once and kept for the tab (sessionStorage,
// the key the planner uses), and sent with the document request and every "Try it out" call.
export const TOKEN_KEY = "landbridge-token";

export function withToken(headers) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = `Bearer ${token}`;
  return headers;
}

export async function fetchSpec(retried = false) {
  const response = await fetch("/openapi.json", { headers: withToken({}) });
  if (response.status === 401 && !retried) {
    const token = window.prompt("This server needs its access token (LANDBRIDGE_TOKEN):");
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      return fetchSpec(true);
    }
  }
  if (!response.ok) throw new Error(`the API document could not be read (HTTP ${response.status})`);
  return response.json();
}

export function showError(element, error) {
  element.textContent = `landbridge API: ${error.message}`;
}
