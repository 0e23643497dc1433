// The Find time grid: clicking a slot puts its time into the Start field. The form's own change event then makes
// htmx redraw the grid with the proposed time and the conflicts. Without JavaScript the form works as typed.
(() => {
  document.addEventListener("click", (event) => {
    const slot = event.target.closest(".ft-slot");
    if (!slot) return;
    const start = document.getElementById("id_start_time");
    if (!start) return;
    start.value = slot.dataset.time;
    const end = document.getElementById("id_end_time");
    if (end) end.value = "";  // keep the chosen duration
    document.querySelectorAll(".ft-slot.ft-chosen").forEach((other) => other.classList.remove("ft-chosen"));
    slot.classList.add("ft-chosen");
    start.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
