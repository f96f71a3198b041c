// The admin users page: every user with their state; deactivate and reactivate (logged).
import { announce, api, el, t } from "./page.js";

const table = document.getElementById("users");
const body = table.querySelector("tbody");
const me = table.dataset.me;

function row(user) {
  const state = el("td", {}, t(user.is_active ? "users_active" : "users_inactive"));
  const cell = el("td", {});
  if (user.username !== me) {
    const label = t(user.is_active ? "users_deactivate" : "users_reactivate", { name: user.full_name });
    const button = el("button", { type: "button", class: "button" }, label);
    button.addEventListener("click", async () => {
      const result = await api(`/api/v1/users/${encodeURIComponent(user.username)}/active`, {
        method: "PUT",
        body: { is_active: !user.is_active },
      });
      if (!result.ok) {
        announce(result.data?.error?.message || t("error_generic"), "error");
        return;
      }
      announce(t(result.data.is_active ? "users_reactivated" : "users_deactivated",
        { name: user.full_name }), "info");
      load();
    });
    cell.append(button);
  } else {
    cell.append(el("span", { class: "muted" }, `(${t("users_you")})`));
  }
  return el("tr", { "data-username": user.username },
    el("td", {}, user.username), el("td", {}, user.full_name),
    el("td", {}, user.roles.join(", ")), el("td", {}, user.municipality_id || ""), state, cell);
}

async function load() {
  const result = await api("/api/v1/users");
  if (!result.ok) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: "6", class: "alert alert--error" }, t("load_failed"))));
    return;
  }
  body.replaceChildren(...result.data.map(row));
}

load();
