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
