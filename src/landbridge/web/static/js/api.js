// Thin client for the landbridge REST API (same origin). Errors carry the server's message.
const TOKEN_KEY = "landbridge-token";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(json) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h["Authorization"] = `Bearer ${token}`;
  return h;
}

async function request(method, path, body, retried = false) {
  const response = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !retried) {
    const token = window.prompt("This server needs its access token (LANDBRIDGE_TOKEN):");
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      return request(method, path, body, true);
    }
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    if (data && typeof data.detail === "string") message = data.detail;
    else if (data && Array.isArray(data.detail)) {
      message = data.detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
    }
    throw new ApiError(response.status, message);
  }
  return data;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body),
  del: (path) => request("DELETE", path),
};

// Poll a background job until it is done; onProgress gets a fraction in [0, 1].
export async function waitForJob(statusPath, onProgress, intervalMs = 500) {
  for (;;) {
    const status = await api.get(statusPath);
    onProgress(status.progress ?? 0, status.state);
    if (status.state === "done") return status;
    if (status.state === "failed" || status.state === "cancelled") {
      throw new ApiError(status.http_status || 500, status.message || `job ${status.state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
