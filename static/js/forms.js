// Forms and htmx swaps for keyboard and screen-reader users (issue 15).
// - After a failed submit the first field with an error gets focus and is scrolled into view: on page load, and
//   after an htmx swap that brings errors in answer to a submit. A page without errors keeps its focus.
// - A swap that replaces the element holding the focus (the Find time grid redrawn after a start button) gives the
//   focus back to the same control in the new content, instead of dropping it on <body>. When that control is gone
//   (a message's Retry button, replaced by its new status), the focus goes to what took the swapped element's place
//   (the status, focusable by script only).
// - A status that polls (`[data-live]`: message status, calendar sync) is announced in the polite region that follows
//   it (`#<its id>-live`, which the swaps leave in place) when its phase changes, once, not at every poll; a poll
//   that brings the same words is not swapped at all (the focus on its Retry button stays).
(() => {
  const INVALID = '[aria-invalid="true"], .is-invalid';
  const FOCUSABLE = 'input:not([type="hidden"]), select, textarea, button, a[href], [tabindex]:not([tabindex="-1"])';

  const usable = (element) => !element.disabled && element.getClientRects().length > 0;

  function firstInvalid(root) {
    for (const marked of root.querySelectorAll(INVALID)) {
      const control = marked.matches(FOCUSABLE) ? marked : marked.querySelector(FOCUSABLE);
      if (control && usable(control)) return control;
    }
    return null;
  }

  function focusFirstError(root) {
    const control = firstInvalid(root);
    if (!control) return false;
    control.focus({ preventScroll: true });
    control.scrollIntoView({ block: "center" });
    return true;
  }

  document.addEventListener("DOMContentLoaded", () => focusFirstError(document));

  // Which control of the old content had the focus, to find its twin in the new content, and the id of the swapped
  // element that held it.
  let focusKey = null;
  let focusHolder = null;

  function keyOf(element) {
    if (element.id) return `#${CSS.escape(element.id)}`;
    // The tag and first class tell a grid's start button from the suggested time with the same value.
    const kind = element.classList.length ? `.${CSS.escape(element.classList[0])}` : "";
    const parts = [element.tagName.toLowerCase() + kind];
    for (const name of ["name", "value", "data-date", "data-time"]) {
      const value = element.getAttribute(name);
      if (value !== null) parts.push(`[${name}="${CSS.escape(value)}"]`);
    }
    return parts.length > 1 ? parts.join("") : null;
  }

  const said = (element) => `${element.dataset.live || ""}|${element.textContent.replace(/\s+/g, " ").trim()}`;

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.matches("[data-live]") && event.detail.xhr && event.detail.xhr.status === 200) {
      const fresh = new DOMParser().parseFromString(event.detail.serverResponse, "text/html")
        .getElementById(target.id);
      const polled = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
      if (polled && fresh && said(fresh) === said(target)
          && fresh.getAttribute("hx-trigger") === target.getAttribute("hx-trigger")) {
        event.detail.shouldSwap = false;  // nothing new to show or to announce: keep the element (and the poll)
        return;
      }
    }
    const active = document.activeElement;
    const inside = Boolean(active && active !== document.body && target && target.contains(active));
    focusKey = inside ? keyOf(active) : null;
    focusHolder = inside && target.id ? target.id : null;
  });

  // The words of a status as a screen reader should hear them: without its buttons and hidden decoration.
  function spoken(element) {
    const copy = element.cloneNode(true);
    copy.querySelectorAll('form, button, [aria-hidden="true"]').forEach((part) => part.remove());
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function announceChanges() {
    for (const status of document.querySelectorAll("[data-live][id]")) {
      const region = document.getElementById(`${status.id}-live`);
      if (!region || region.dataset.said === status.dataset.live) continue;
      region.dataset.said = status.dataset.live;
      region.textContent = spoken(status);
    }
  }

  // A status <div> takes the focus only from script (tabindex=-1), and stays out of the Tab order.
  function focusOn(element) {
    if (!element.matches(FOCUSABLE) && !element.hasAttribute("tabindex")) element.tabIndex = -1;
    element.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSettle", (event) => {
    announceChanges();
    const key = focusKey;
    const holder = focusHolder;
    focusKey = null;
    focusHolder = null;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitted = trigger && trigger.type === "submit";
    const lost = !document.activeElement || document.activeElement === document.body;
    if (!submitted && !((key || holder) && lost)) return;  // a poll or a redraw elsewhere: the focus stays put
    const target = event.detail.target && event.detail.target.isConnected ? event.detail.target : document;
    if (focusFirstError(target)) return;
    if (!lost) return;
    const twin = key && document.querySelector(key);
    const heir = holder && document.getElementById(holder);
    if (twin && usable(twin)) focusOn(twin);
    else if (heir && usable(heir)) focusOn(heir);
  });
})();
