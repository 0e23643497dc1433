// Open the week view at the start of the working day instead of at midnight.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("wk-body");
  if (!body) return;
  const hourHeight = body.scrollHeight / 24;
  body.scrollTop = hourHeight * Number(body.dataset.scrollHour || 7);
});
