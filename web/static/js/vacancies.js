// The public vacancy pages (no sign-in): the list of open vacancies, and one vacancy with the
// application form. Both read /api/v1/vacancies; the form posts multipart (with the CV) to
// /api/v1/vacancies/{id}/applications and shows errors at the fields, or the receipt number.
import { announce, el, formatDate, formatDateTime, lang, t } from "./page.js";

const FIELDS = ["name", "email", "phone", "age", "occupation", "home_municipality", "motivation", "cv",
  "requests_exemption_from_public_list", "exemption_reason"];

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json", "Accept-Language": lang } });
  return { ok: response.ok, status: response.status, data: await response.json().catch(() => null) };
}

// A case number may hold "/" (`2026/0412`): each part is encoded, the slashes stay.
export function segments(id) {
  return String(id).split("/").map(encodeURIComponent).join("/");
}

function vacancyUrl(id) {
  return `/stillinger/${segments(id)}${lang === "en" ? "?lang=en" : ""}`;
}

async function showList(container) {
  const result = await getJson("/api/v1/vacancies");
  container.replaceChildren();
  if (!result.ok) {
    container.append(el("p", { class: "note" }, t("error_generic")));
    return;
  }
  if (result.data.length === 0) {
    container.append(el("p", { class: "note" }, t("vacancies_none")));
    return;
  }
  for (const item of result.data) {
    const titleId = `vacancy-${item.id}`;
    container.append(el("article", { class: "card vacancy", "aria-labelledby": titleId },
      el("h2", { id: titleId }, item.title || item.id),
      item.is_internal ? el("p", { class: "badge" }, t("vacancies_internal")) : null,
      el("p", {}, item.employer || ""),
      el("p", { class: "deadline" }, t("vacancies_deadline"), " ",
        el("time", { datetime: item.application_deadline_on }, formatDate(item.application_deadline_on))),
      el("p", {}, t("vacancies_percentage"), ` ${item.percentage ?? t("none")} %`),
      el("a", { href: vacancyUrl(item.id), "aria-describedby": titleId }, t("vacancies_read_more"))));
  }
}

function describe(container, item) {
  const section = (label, value) => (value ? [el("h2", {}, label), el("p", {}, value)] : []);
  const requirements = item.qualification_requirements || [];
  container.replaceChildren(
    el("h1", {}, item.title || item.id),
    item.is_internal ? el("p", { class: "badge" }, t("vacancies_internal")) : null,
    el("p", {}, `${item.employer || ""} · ${item.percentage ?? t("none")} %`),
    el("p", { class: "deadline" }, t("vacancies_deadline"), " ",
      el("time", { datetime: item.application_deadline_at }, formatDateTime(item.application_deadline_at))),
    ...section(t("vacancies_area"), item.area_of_work),
    ...section(t("vacancies_duties"), item.duties),
    ...(requirements.length ? [el("h2", {}, t("vacancies_requirements")), el("ul", {}, requirements.map((r) => el("li", {}, r)))] : []),
    ...section(t("vacancies_pay"), item.pay_and_pension),
    ...((item.reservations || []).length ? [el("h2", {}, t("vacancies_reservations")), el("ul", {}, item.reservations.map((r) => el("li", {}, r)))] : []),
  );
}

function clearErrors(form) {
  for (const node of form.querySelectorAll(".field--error")) node.classList.remove("field--error");
  for (const node of form.querySelectorAll(".field-error")) { node.hidden = true; node.textContent = ""; }
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    const hint = document.getElementById(`${node.id}-hint`);
    if (hint) node.setAttribute("aria-describedby", hint.id); else node.removeAttribute("aria-describedby");
  }
}

function showErrors(form, details) {
  const summary = document.getElementById("error-summary");
  const list = summary.querySelector("ul");
  list.replaceChildren();
  let first = null;
  for (const [name, messages] of Object.entries(details)) {
    const text = [].concat(messages).join(" ");
    const input = FIELDS.includes(name) ? document.getElementById(name) : null;
    const errorEl = document.getElementById(input ? `${name}-error` : "form-error");
    errorEl.textContent = text;
    errorEl.hidden = false;
    if (input) {
      document.getElementById(`field-${name}`).classList.add("field--error");
      input.setAttribute("aria-invalid", "true");
      const hint = document.getElementById(`${name}-hint`);
      input.setAttribute("aria-describedby", [hint?.id, errorEl.id].filter(Boolean).join(" "));
      if (name === "exemption_reason") document.getElementById("exemption-reason").hidden = false;
      first = first || input;
    }
    const label = input ? document.querySelector(`label[for="${name}"]`)?.textContent : null;
    list.append(el("li", {}, input ? el("a", { href: `#${name}` }, `${label}: ${text}`) : text));
  }
  summary.hidden = false;
  summary.focus();
  return first;
}

function localCheck(form) {
  const details = {};
  for (const name of ["name", "email"]) {
    if (!form.elements[name].value.trim()) details[name] = [t("vacancies_required")];
  }
  const file = form.elements.cv.files[0];
  const limit = Number(form.dataset.maxBytes);
  if (file && limit && file.size > limit) {
    const mb = (bytes) => (bytes / 1_000_000).toLocaleString(lang === "en" ? "en-GB" : "nb-NO", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    details.cv = [t("vacancies_cv_too_large", { size: mb(file.size), limit: mb(limit) })];
  }
  if (form.elements.requests_exemption_from_public_list.checked && !form.elements.exemption_reason.value.trim()) {
    details.exemption_reason = [t("vacancies_required")];
  }
  return details;
}

function setUpForm(id) {
  const form = document.getElementById("application-form");
  const exemption = form.elements.requests_exemption_from_public_list;
  exemption.addEventListener("change", () => {
    document.getElementById("exemption-reason").hidden = !exemption.checked;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    document.getElementById("error-summary").hidden = true;
    const local = localCheck(form);
    if (Object.keys(local).length) {
      showErrors(form, local);
      return;
    }
    const body = new FormData();
    for (const name of ["name", "email", "phone", "age", "occupation", "home_municipality", "motivation"]) {
      body.append(name, form.elements[name].value);
    }
    body.append("requests_exemption_from_public_list", exemption.checked ? "true" : "false");
    if (exemption.checked) body.append("exemption_reason", form.elements.exemption_reason.value);
    const file = form.elements.cv.files[0];
    if (file) body.append("cv", file, file.name);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = t("vacancies_sending");
    let result;
    try {
      const response = await fetch(`/api/v1/vacancies/${segments(id)}/applications`, {
        method: "POST", body, headers: { Accept: "application/json", "Accept-Language": lang,
          "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]')?.content || "" },
      });
      result = { ok: response.ok, status: response.status, data: await response.json().catch(() => null) };
    } catch {
      result = { ok: false, status: 0, data: null };
    }
    button.disabled = false;
    button.textContent = t("vacancies_send");
    if (result.ok) {
      document.getElementById("apply").hidden = true;
      const receipt = document.getElementById("receipt");
      document.getElementById("receipt-text").textContent = t("vacancies_receipt", { number: result.data.receipt_number });
      receipt.hidden = false;
      receipt.focus();
      return;
    }
    const error = result.data?.error;
    if (error?.details && typeof error.details === "object" && !Array.isArray(error.details)) {
      showErrors(form, error.details);
    } else {
      announce(error?.message || t("vacancies_failed"), "error");
    }
  });
}

async function showVacancy(container) {
  const id = container.dataset.vacancyId;
  const result = await getJson(`/api/v1/vacancies/${segments(id)}`);
  if (!result.ok) {
    container.replaceChildren(el("h1", {}, t("vacancies_title")), el("p", { class: "note" }, t("vacancies_not_found")));
    return;
  }
  describe(container, result.data);
  container.append(el("p", {}, el("a", { href: `/sokerlister/${segments(id)}` }, t("hiring_public_link"))));
  if (result.data.is_open || result.data.accepts_late_applications) {
    document.getElementById("apply").hidden = false;
    setUpForm(id);
  } else {
    container.append(el("p", { class: "note" }, t("vacancies_closed")));
  }
}

const list = document.getElementById("vacancies");
if (list) showList(list);
const one = document.getElementById("vacancy");
if (one) showVacancy(one);
