// Open the week view at the start of the working day instead of at midnight, and keep the scroll position when
// the grid refreshes itself (htmx swaps it in every 30 s).
(() => {
  let savedScroll = null;

  function scrollToWorkingDay() {
    const body = document.getElementById("wk-body");
    if (!body) return;
    body.scrollTop = savedScroll ?? (body.scrollHeight / 24) * Number(body.dataset.scrollHour || 7);
  }

  document.addEventListener("DOMContentLoaded", scrollToWorkingDay);
  document.addEventListener("htmx:beforeSwap", (event) => {
    const body = document.getElementById("wk-body");
    if (body && event.detail.target.id === "week-grid") savedScroll = body.scrollTop;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "week-grid") scrollToWorkingDay();
  });
})();
