// Find time: a suggested time, a start button or "Later days" fills step 1's date (and start time) in place. The
// form's own change event then makes htmx redraw Find time with the proposed time and the conflicts. Without
// JavaScript the same buttons submit step 1, which shows itself again with the time filled in (views.schedule).
(() => {
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".ft-slot, .ft-use");
    if (!button || !button.dataset.date) return;
    const day = document.getElementById("id_date");
    const start = document.getElementById("id_start_time");
    if (!day || !start) return;
    event.preventDefault();  // a submit button for browsers without JavaScript: here it only fills the form
    day.value = button.dataset.date;
    if (button.dataset.time) {
      start.value = button.dataset.time;
      const end = document.getElementById("id_end_time");
      if (end) end.value = "";  // keep the chosen duration
    }
    document.querySelectorAll(".ft-chosen").forEach((other) => other.classList.remove("ft-chosen"));
    button.classList.add("ft-chosen");
    start.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();

// Find time's grid is one Tab stop, not some 150 (issue 15; the WAI-ARIA APG's grid keyboard model, a roving
// tabindex). One start button has tabindex=0: the one last focused, else the first suggested time, the first free
// start, the first start. The arrow keys follow what the page shows: a day is a row, its starts run left to right,
// so Left/Right move between times and Up/Down between days; Home/End go to the day's first and last start,
// Ctrl+Home/End to the grid's, PageUp/PageDown to the same time on the first and last day shown (the grid has no
// earlier page, and "Later days" also changes step 1's date, so no key pages it). Enter and Space stay the buttons'
// own: they click. Without JavaScript every start remains a Tab stop.
// htmx redraws the grid (the result replaces itself): each new grid is prepared again. A redraw while the focus is in
// the grid (a start picked with Enter) keeps the stop on the start the focus was on, which static/js/forms.js focuses
// again; a redraw after the focus left (another date, more people) puts it on the new first suggestion, since the
// old place may be nothing special any more.
(() => {
  const SLOT = ".ft-slot";
  let remembered = null;  // the value ("2026-12-01T10:00") of the start focused, while the focus is in the grid

  const starts = (grid) => grid.querySelectorAll(SLOT);
  const byValue = (grid, value) => (value ? grid.querySelector(`${SLOT}[value="${CSS.escape(value)}"]`) : null);

  function preferred(grid) {
    const suggested = (grid.parentElement || document).querySelector(".ft-suggestion-list .ft-use");
    return byValue(grid, remembered) || byValue(grid, suggested && suggested.value)
      || grid.querySelector(`${SLOT}.ft-slot-free`) || starts(grid)[0];
  }

  function rove(grid, chosen) {
    for (const slot of starts(grid)) slot.tabIndex = slot === chosen ? 0 : -1;
  }

  function prepare() {
    for (const grid of document.querySelectorAll(".ft")) {
      if (!starts(grid).length || grid.dataset.roving === "on") continue;
      grid.dataset.roving = "on";
      const focused = grid.contains(document.activeElement) ? document.activeElement.closest(SLOT) : null;
      rove(grid, focused || preferred(grid));
      const hint = grid.parentElement.querySelector("[data-ft-keys]");
      if (hint && hint.id) {
        hint.hidden = false;  // the keys only work with this script
        grid.setAttribute("aria-describedby", hint.id);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", prepare);
  document.addEventListener("htmx:load", prepare);

  document.addEventListener("focusin", (event) => {
    const slot = event.target.closest && event.target.closest(SLOT);
    const grid = slot && slot.closest(".ft");
    remembered = grid ? slot.value : null;
    if (!grid) return;
    if (slot.tabIndex !== 0) rove(grid, slot);
  });

  // The column of names is sticky: a start scrolled under it (a phone-wide grid scrolls sideways) would be focused
  // but hidden (WCAG 2.2, 2.4.11), and the browser's own scrolling on focus leaves a start cut off at the right edge.
  // Scrolled to where it sits just right of the names, or just inside the right edge. (Not "scroll by the overlap"
  // on the left: near the end of its row the sticky column moves with the scroll.)
  function reveal(grid, slot) {
    const name = slot.closest(".ft-row").querySelector(".ft-name");
    const frame = grid.getBoundingClientRect();
    const box = slot.getBoundingClientRect();
    const names = name ? name.getBoundingClientRect() : null;
    const right = frame.left + grid.clientLeft + grid.clientWidth;
    if (names && names.right > box.left && names.left < box.right) {
      const x = box.left - frame.left - grid.clientLeft + grid.scrollLeft;  // in the scrolled content
      grid.scrollLeft = Math.max(0, x - name.offsetWidth - 8);
    } else if (box.right > right) {
      grid.scrollLeft += box.right - right + 8;
    }
  }

  document.addEventListener("keydown", (event) => {
    const slot = event.target.closest && event.target.closest(SLOT);
    const grid = slot && slot.closest(".ft");
    if (!grid || event.altKey || event.metaKey || event.shiftKey) return;
    const days = [...grid.querySelectorAll(".ft-day")].map((day) => [...day.querySelectorAll(SLOT)]);
    let row = days.findIndex((times) => times.includes(slot));
    if (row < 0) return;
    let column = days[row].indexOf(slot);
    const whole = event.ctrlKey;
    switch (event.key) {
      case "ArrowLeft": column -= 1; break;
      case "ArrowRight": column += 1; break;
      case "ArrowUp": row -= 1; break;
      case "ArrowDown": row += 1; break;
      case "Home": column = 0; if (whole) row = 0; break;
      case "End": column = Infinity; if (whole) row = days.length - 1; break;
      case "PageUp": row = 0; break;
      case "PageDown": row = days.length - 1; break;
      default: return;
    }
    if (whole && event.key !== "Home" && event.key !== "End") return;  // Ctrl+arrow: the browser's own
    event.preventDefault();  // no scrolling of the page: the keys move within the grid, stopping at its edges
    row = Math.min(Math.max(row, 0), days.length - 1);
    const times = days[row];
    const target = times[Math.min(Math.max(column, 0), times.length - 1)];
    if (!target || target === slot) return;
    rove(grid, target);
    target.focus();
    reveal(grid, target);
  });
})();

// Step 2: the language of the interviewers' email. Choosing one posts the form as the "Change" button would
// (views.schedule_invite keeps it in the draft and refills the text unless it was edited) and puts the answer's
// subject, message and preview in place; the button itself is only for browsers without JavaScript.
(() => {
  const select = document.getElementById("id_interviewers_language");
  const form = select && select.form;
  const editor = document.getElementById("interviewers-editor");
  if (!form || !editor) return;
  form.querySelectorAll("[data-language-apply]").forEach((button) => { button.hidden = true; });
  // The form saves itself on every input and change (htmx); this post saves the draft already, and a second one
  // racing it could keep the old text.
  ["input", "change"].forEach((name) => select.addEventListener(name, (event) => event.stopPropagation()));
  let latest = 0;
  select.addEventListener("change", async () => {
    const mine = ++latest;
    const body = new FormData(form);
    body.set("action", "language");
    editor.setAttribute("aria-busy", "true");
    try {
      const answer = await fetch(form.getAttribute("action"), { method: "POST", body, credentials: "same-origin" });
      if (!answer.ok) throw new Error(`step 2 answered ${answer.status}`);
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.getElementById("interviewers-editor");
      if (mine !== latest || !fresh) return;
      editor.replaceChildren(...fresh.childNodes);
      if (window.htmx) window.htmx.process(editor);
    } catch {
      form.requestSubmit(form.querySelector("[data-language-apply]"));  // as without JavaScript
    } finally {
      if (mine === latest) editor.removeAttribute("aria-busy");
    }
  });
})();
