// Checks the panel runs on the spot, in the words of the page's catalogue: a timer's ISO 8601
// text for its kind, and a message's name. Deploy runs the same checks (engine/runtime), and
// compiles the expressions these leave to it.
import { t } from "./page.js";

const DURATION = "P(?=\\d|T\\d)(?:\\d+Y)?(?:\\d+M)?(?:\\d+W)?(?:\\d+D)?(?:T(?=\\d)(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:[.,]\\d+)?S)?)?";
const DATE = "\\d{4}-\\d\\d-\\d\\d(?:T\\d\\d:\\d\\d(?::\\d\\d(?:\\.\\d+)?)?(?:Z|[+-]\\d\\d:?\\d\\d)?)?";
const FORMS = {
  timeDuration: new RegExp(`^${DURATION}$`),
  timeDate: new RegExp(`^${DATE}$`),
  timeCycle: new RegExp(`^R\\d*/(?:(?:${DATE})/)?${DURATION}(?:/${DATE})?$`),
};
const LOOKS_ISO = /^(?:R\d*\/|P|\d{4}-)/;
const CRON = /^[0-9*?][0-9*?/,LW#-]*(?:\s+(?:[0-9*?][0-9*?/,LW#-]*|[A-Z]{3}(?:[-,][A-Z]{3})*)){4,6}$/;
const SNAKE = /^[a-z][a-z0-9_]*$/;

/** The ISO text of a bare (P3D) or quoted ("P3D") literal, else null: an expression. */
function literal(value) {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  const text = (quoted ? quoted[2] : value).trim();
  return quoted || LOOKS_ISO.test(text) ? text : null;
}

/** Return what is wrong with a timer's text for its kind, or null (an expression is left to deploy). */
export function timerProblem(kind, value) {
  if (!value) return t("mod_timer_missing");
  if (kind === "timeCycle" && CRON.test(value.replace(/^["']|["']$/g, ""))) return t("mod_timer_cron");
  const text = literal(value);
  if (text === null || FORMS[kind].test(text.toUpperCase().replace(/T(?=\d\d:)/, "T"))) return null;
  return t("mod_timer_invalid", { value: text, kind: t(`mod_${kind}`).toLowerCase(), example: t(`mod_${kind}_example`) });
}

/** Return what is wrong with a message's name, or null. */
export function messageProblem(name) {
  if (!name) return t("mod_message_missing");
  return SNAKE.test(name) ? null : t("mod_message_not_snake", { name });
}
