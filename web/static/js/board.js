// The announcement board of the assignment routine: open announcements in the region, each with
// its deadline and a "Meld interesse" form; the user's own municipality's are shown without it.
import { fieldsNode } from "./case_data.js";
import { announce, api, el, flash, formatDate, showFlash, t } from "./page.js";

const board = document.getElementById("board");
const myMunicipality = board.dataset.municipality;

function registered(item) {
  return el("p", { class: "note", id: `registered-${item.id}` }, t("board_registered"));
}

function interestForm(item, titleId) {
  const id = `motivation-${item.id}`;
  const errorEl = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const text = el("textarea", { id, name: "motivation", rows: 3, maxlength: 4000, "aria-required": "true" });
  const button = el("button", { type: "submit", class: "button button--primary",
    "aria-describedby": titleId }, t("board_register"));
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "field" },
      el("label", { for: id }, t("board_motivation"), el("span", { class: "required-tag" }, ` (${t("required")})`)),
      el("p", { class: "hint", id: `${id}-hint` }, t("board_motivation_hint")), errorEl, text),
    button);
  text.setAttribute("aria-describedby", `${id}-hint`);
  const showError = (message) => {
    errorEl.textContent = message;
    errorEl.hidden = false;
    text.setAttribute("aria-invalid", "true");
    text.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
    text.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      showError(t("board_motivation_missing"));
      return;
    }
    button.disabled = true;
    const result = await api(`/api/v1/announcements/${encodeURIComponent(item.id)}/interest`, {
      method: "POST", body: { motivation: text.value },
    });
    button.disabled = false;
    if (result.ok) {
      form.replaceWith(registered(item));
      announce(t("board_registered_ok"), "success");
      return;
    }
    const details = result.data?.error?.details;
    const message = details?.motivation?.[0] || details?._body?.[0]
      || result.data?.error?.message || t("error_generic");
    if (result.status === 422 && details?.motivation) {
      showError(details.motivation.join(" "));
    } else {
      announce(message, "error");
    }
  });
  return form;
}

function card(item) {
  const titleId = `announcement-${item.id}`;
  const own = item.receiving_municipality?.id === myMunicipality;
  let action;
  if (item.my_registration) action = registered(item);
  else if (own) action = el("p", { class: "note" }, t("board_own"));
  else if (item.may_register) action = interestForm(item, titleId);
  else action = el("p", { class: "note" }, t("board_not_allowed"));
  return el("article", { class: "card announcement", "aria-labelledby": titleId, dataset: { id: item.id } },
    el("h2", { id: titleId }, `${item.receiving_municipality?.name || item.receiving_municipality?.id} – ${item.id}`),
    el("p", { class: "deadline" }, t("board_deadline"), " ",
      el("time", { datetime: item.interest_deadline_at || item.interest_deadline }, formatDate(item.interest_deadline_at || item.interest_deadline))),
    fieldsNode(Object.fromEntries(NEED_FIELDS.map((key) => [key, item[key]]))),
    action);
}

// KV 1 a–f (g is the deadline above).
const NEED_FIELDS = ["competence_requirements", "nature_of_work", "expected_results", "special_conditions",
  "duration", "contact_persons"];

function newAnnouncement() {
  if (board.dataset.mayAnnounce !== "true") return null;
  const button = el("button", { type: "button", class: "button button--primary", id: "new-announcement" },
    t("board_new"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await api("/api/v1/announcements", { method: "POST", body: {} });
    button.disabled = false;
    if (!result.ok) {
      announce(result.data?.error?.message || t("error_generic"), "error");
      return;
    }
    flash(t("board_new_ok", { id: result.data.id }));
    window.location.assign(`/tasks/${result.data.describe_need_task_id}`);
  });
  return el("div", { class: "actions board-new" }, el("p", { class: "hint" }, t("board_new_hint")), button);
}

showFlash();
const result = await api("/api/v1/announcements?open=true&limit=100");
const creator = newAnnouncement();
if (creator) board.before(creator);
if (!result.ok) {
  board.replaceChildren(el("p", { class: "alert alert--error" }, t("load_failed")));
} else {
  board.replaceChildren(...(result.data.items.length
    ? result.data.items.map(card)
    : [el("p", { class: "empty" }, t("board_none"))]));
}
