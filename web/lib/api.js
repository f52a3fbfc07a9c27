// api.js - the one way the client talks HTTP to wlk: JSON in and out, the
// session in its HttpOnly cookie (never visible here), errors as ApiError
// with the server's stable code. Listeners hear about answers that change
// what the whole app may show (signed out, policy gates).

const listeners = new Set();

/** Calls fn(err) for every ApiError (the app reacts to 401 and policy gates). */
export function onApiError(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status ? "internal" : "network");
    this.field = e.field || null;
    this.scope = e.scope || null;
    this.version = e.version || null;
    this.oldestCursor = e.oldest_cursor !== undefined ? e.oldest_cursor : null;
    this.requestId = e.request_id || null;
    this.serverMessage = e.message || "";
    this.retryAfter = retryAfter ? parseInt(retryAfter, 10) || 0 : 0;
    this.word = e.word || null; // content_rejected: the banned word and where it is
    this.span = e.span || null;
  }
}

function fail(err) {
  for (const fn of listeners) fn(err);
  throw err;
}

async function decode(res) {
  if (res.status === 204 || res.status === 304) return null;
  const type = res.headers.get("Content-Type") || "";
  return type.includes("json") ? res.json() : res.text();
}

/** api("GET", "/v1/me") -> parsed JSON (null for 204). Throws ApiError. */
export async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return fail(new ApiError(0, { error: { code: "network", message: String(e) } }));
  }
  let data = null;
  try {
    data = await decode(res);
  } catch (e) {
    if (res.ok) return fail(new ApiError(0, { error: { code: "network", message: String(e) } }));
  }
  if (!res.ok) return fail(new ApiError(res.status, data, res.headers.get("Retry-After")));
  return data;
}

/** Uploads a file to POST /v1/media with its own type; onProgress(0..1).
 * Resolves to the MediaInfo; rejects with ApiError. XHR, because fetch
 * cannot report upload progress. */
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", "/v1/media");
    x.withCredentials = true;
    if (file.type) x.setRequestHeader("Content-Type", file.type);
    x.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    x.onerror = () => {
      try {
        fail(new ApiError(0, { error: { code: "network", message: "upload failed" } }));
      } catch (err) {
        reject(err);
      }
    };
    x.onload = () => {
      let data = null;
      try {
        data = JSON.parse(x.responseText);
      } catch (e) {
        data = null;
      }
      if (x.status >= 200 && x.status < 300) return resolve(data);
      try {
        fail(new ApiError(x.status, data, x.getResponseHeader("Retry-After")));
      } catch (err) {
        reject(err);
      }
    };
    x.send(file);
  });
}
