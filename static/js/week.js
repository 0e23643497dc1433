// The week view: open at the start of the working day instead of at midnight, keep the scroll position when the
// grid refreshes itself (htmx swaps it in every 30 s), and keep "synced 25 seconds ago" true while the page is open.
(() => {
  let savedScroll = null;

  function scrollToWorkingDay() {
    const body = document.getElementById("wk-body");
    if (!body) return;
    const hours = body.querySelector(".wk-hours");
    const hour = hours ? hours.offsetHeight / 24 : body.scrollHeight / 24;
    // The body's top padding (static/css/week.css) stays above the hour's line: room for its label, not cut off.
    body.scrollTop = savedScroll ?? hour * Number(body.dataset.scrollHour || 7);
  }

  // The words come from the page, in the reader's language (data-just-now, data-seconds-ago="{n} seconds ago"…,
  // templates/scheduling/week.html); English when an attribute is missing.
  function words(seconds, said) {
    const counted = (text, fallback, n) => (text || fallback).replace("{n}", String(n));
    if (seconds < 10) return said.justNow || "just now";
    if (seconds < 60) return counted(said.secondsAgo, "{n} seconds ago", Math.floor(seconds));
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) {
      return minutes === 1 ? said.minuteAgo || "a minute ago" : counted(said.minutesAgo, "{n} minutes ago", minutes);
    }
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return hours === 1 ? said.hourAgo || "an hour ago" : counted(said.hoursAgo, "{n} hours ago", hours);
    return null;  // older: the date and time itself (the tooltip's words)
  }

  function tick() {
    document.querySelectorAll("time[data-relative]").forEach((element) => {
      const at = Date.parse(element.getAttribute("datetime"));
      if (Number.isNaN(at)) return;
      const holder = element.closest("[data-just-now]");
      const text = words(Math.max(0, (Date.now() - at) / 1000), holder ? holder.dataset : {});
      element.textContent = text ?? element.getAttribute("title") ?? element.textContent;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    scrollToWorkingDay();
    tick();
    setInterval(tick, 5000);
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const body = document.getElementById("wk-body");
    if (body && event.detail.target.id === "week-grid") savedScroll = body.scrollTop;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "week-grid") {
      scrollToWorkingDay();
      tick();
    }
  });
})();
