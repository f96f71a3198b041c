// My settings: reminder mails on or off and the language of mails (PATCH /api/v1/me).
import { announce, api, t } from "./page.js";

const form = document.getElementById("settings");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    reminders_enabled: form.elements.reminders_enabled.checked,
    locale: form.elements.locale.value,
  };
  const result = await api("/api/v1/me", { method: "PATCH", body });
  announce(result.ok ? t("settings_saved") : (result.data?.error?.message || t("error_generic")),
    result.ok ? "info" : "error");
});
