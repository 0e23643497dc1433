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
