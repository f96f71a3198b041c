// The demo clock page: the engine's date, and buttons that move it forward (demo mode only).
import { announce, api, formatDate, formatDateTime, t } from "./page.js";

async function showClock() {
  const result = await api("/api/v1/admin/clock");
  if (!result.ok) return;
  document.getElementById("clock-date").textContent = formatDate(result.data.now);
  document.getElementById("clock-now").textContent = formatDateTime(result.data.now);
  const days = Math.round(result.data.offset_seconds / 86400);
  document.getElementById("clock-offset").textContent =
    result.data.enabled ? `(${t("clock_offset", { days })})` : t("clock_disabled");
  document.getElementById("clock-buttons").hidden = !result.data.enabled;
}

for (const button of document.querySelectorAll("[data-advance]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await api("/api/v1/admin/clock", {
      method: "POST", body: { advance: button.dataset.advance },
    });
    button.disabled = false;
    announce(result.ok ? t("clock_moved") : (result.data?.error?.message || t("error_generic")),
      result.ok ? "info" : "error");
    await showClock();
  });
}

await showClock();
