// Starts GOV.UK Frontend's components. Pages work without it; the network picture needs
// network.js as well.
import { initAll } from "./vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
