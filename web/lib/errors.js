// errors.js - what to tell a person when the server says no: the zh-CN
// text of each stable error code comes from the server's one error table
// (GET /v1/errors, src/core/err.h), loaded once; pages add words only
// where a field or a wait makes the message clearer.
import { api } from "./api.js";

const local = {
  network: "网络连接失败，请检查网络后重试。",
};
let table = null;
let loading = null;

/** Loads the error table (once); safe to call often. */
export function loadErrors() {
  if (!loading) {
    loading = api("GET", "/v1/errors")
      .then((j) => {
        table = {};
        for (const i of j.items) table[i.code] = i.message_zh;
      })
      .catch(() => {
        loading = null;
      });
  }
  return loading;
}

/** The message for an ApiError (or any error). */
export function errorText(err) {
  if (!err) return "";
  const code = err.code || "internal";
  let text = local[code] || (table && table[code]) || "操作失败，请稍后再试。";
  if (err.retryAfter && (code === "rate_limited" || code === "too_many_attempts")) {
    text += `请在 ${err.retryAfter} 秒后重试。`;
  }
  return text;
}
