// The admin users page: every user with their state; deactivate and reactivate (logged).
import { announce, api, el, t } from "./page.js";

const table = document.getElementById("users");
const body = table.querySelector("tbody");
const me = table.dataset.me;
const municipalities = JSON.parse(table.dataset.municipalities || "{}");

/** A role as people call it ("Tjenesteleder"), the key itself only if the catalogue lacks it. */
function roleName(role) {
  const key = `role_${role}`;
  const name = t(key);
  return name === key ? role : name;
}

function row(user) {
  const state = el("td", { "data-label": t("users_state") }, t(user.is_active ? "users_active" : "users_inactive"));
  const cell = el("td", { class: "users__action" });
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
    el("td", { "data-label": t("users_username") }, user.username),
    el("td", { "data-label": t("users_name") }, user.full_name),
    el("td", { "data-label": t("users_roles") }, user.roles.map(roleName).join(", ")),
    el("td", { "data-label": t("users_municipality") },
      municipalities[user.municipality_id] || user.municipality_id || "–"),
    state, cell);
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
