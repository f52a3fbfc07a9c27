// policy.js - words for the published data map (GET /v1/privacy/policy):
// how long each category is kept, which consent it needs, who receives
// it. Pages read the map the server rendered the policy from, so what the
// summary says is what the code does.
import { html } from "./html.js";

const UNTIL = {
  account_cancelled: "保存至您注销账号",
  purpose_done: "目的实现后删除",
  collected: "",
};
const ACTION = { delete: "删除", anonymise: "匿名化", restrict: "限制处理" };

/** "保存 1 天后删除", "保存至您注销账号". */
export function retentionText(r) {
  if (!r) return "";
  if (r.days) {
    const span = r.days % 365 === 0 ? `${r.days / 365} 年` : `${r.days} 天`;
    return `保存 ${span}后${ACTION[r.action] || "删除"}`;
  }
  return UNTIL[r.until] || "按法律规定的期限保存";
}

/** The zh label of a consent scope. */
export function scopeLabel(policy, id) {
  const s = policy && policy.scopes.find((x) => x.id === id);
  return s ? s.label_zh : id;
}

/** The categories a scope allows (for the separate-consent prompts). */
export function categoriesOf(policy, scope) {
  return policy ? policy.datamap.filter((c) => c.consent === scope) : [];
}

export function recipientsOf(policy, categoryIds) {
  if (!policy) return [];
  return policy.recipients.filter((r) => r.categories.some((c) => categoryIds.includes(c)));
}

/** One line per category: label, 【敏感】, retention. */
export function CategoryList({ items }) {
  return html`<ul class="cats">
    ${items.map(
      (c) => html`<li key=${c.id}>
        <strong>${c.label_zh}</strong>
        ${c.sensitive && html` <span class="tag danger">敏感</span>`}
        ${c.encrypted && html` <span class="tag ok">加密存储</span>`}
        <span class="muted small"> · ${retentionText(c.retention)}</span>
      </li>`
    )}
  </ul>`;
}

/** The short summary shown before the full text: what is collected for the
 * basic service, what needs a separate yes at the moment of use, who
 * receives data. */
export function PolicySummary({ policy }) {
  const basic = policy.datamap.filter((c) => c.consent === "policy");
  const separate = policy.scopes.filter((s) => s.optional);
  const ip = policy.datamap.find((c) => c.id === "ip_address");
  return html`<div class="summary">
    <p>为向您提供账号、微聊和安全保障等基本服务，我们会处理以下个人信息：</p>
    <${CategoryList} items=${basic.filter((c) => ["phone", "nickname", "chat_content",
      "device_info", "ip_address", "security_log"].includes(c.id))} />
    <p>以下功能只在您<strong>首次使用时单独询问</strong>，您可以拒绝，拒绝不影响其他功能：
      ${separate.map((s) => s.label_zh).join("、")}。</p>
    <p>我们会向这些第三方提供完成服务所必需的信息：
      ${policy.recipients.map((r) => r.name_zh).join("；")}。</p>
    <p class="muted small">手机号、昵称和聊天内容加密存储；${ip &&
      `仅浏览时的 IP 地址${retentionText(ip.retention)}。`}
      您可以随时查看、更正、导出、删除您的信息，撤回同意或注销账号。</p>
  </div>`;
}
