// The admin mail page: the outbox as mails (subject, recipient, text, state).
import { announce, api, el, formatDateTime, t } from "./page.js";

const PAGE = 20;
const list = document.getElementById("mails");
const count = document.getElementById("mail-count");
const more = document.getElementById("mail-more");
const stateSelect = document.getElementById("mail-state");
let shown = [];

function mailCard(mail) {
  const to = mail.is_copy ? `${mail.to_address} (${t("mail_copy")})` : mail.to_address;
  const meta = el("dl", { class: "mail__meta" },
    el("dt", {}, t("mail_to")), el("dd", {}, to),
    el("dt", {}, t("mail_state")), el("dd", { class: `mail__state mail__state--${mail.state}` },
      t(`mail_state_${mail.state}`)),
    el("dt", {}, t("mail_created")), el("dd", {}, formatDateTime(mail.created_at)),
    ...(mail.sent_at ? [el("dt", {}, t("mail_sent")), el("dd", {}, formatDateTime(mail.sent_at))] : []),
    el("dt", {}, t("mail_attempts")), el("dd", {}, String(mail.attempts)));
  const parts = [el("h2", {}, mail.subject), meta];
  if (mail.last_error) {
    parts.push(el("p", { class: "alert alert--error" }, `${t("mail_error")}: ${mail.last_error}`));
  }
  if (mail.state === "failed") {
    const retry = el("button", { type: "button", class: "button" }, t("mail_retry"));
    retry.addEventListener("click", async () => {
      const result = await api(`/api/v1/admin/outbox/${mail.id}/retry`, { method: "POST" });
      announce(result.ok ? t("mail_retried") : (result.data?.error?.message || t("error_generic")),
        result.ok ? "info" : "error");
      if (result.ok) load(true);
    });
    parts.push(retry);
  }
  parts.push(el("details", {}, el("summary", {}, mail.kind),
    el("pre", { class: "mail__body", lang: mail.locale }, mail.body)));
  return el("article", { class: "card mail", lang: mail.locale }, ...parts);
}

async function load(reset) {
  if (reset) shown = [];
  const state = stateSelect.value;
  const query = new URLSearchParams({ limit: PAGE, offset: shown.length });
  if (state) query.set("state", state);
  const result = await api(`/api/v1/admin/outbox?${query}`);
  if (!result.ok) {
    list.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
    return;
  }
  shown = shown.concat(result.data.items);
  list.replaceChildren(...(shown.length ? shown.map(mailCard)
    : [el("p", { class: "empty" }, t("mail_none"))]));
  count.textContent = t("mail_count", { shown: shown.length, total: result.data.total });
  more.hidden = shown.length >= result.data.total;
}

stateSelect.addEventListener("change", () => load(true));
more.addEventListener("click", () => load(false));
await load(true);
