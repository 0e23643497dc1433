// The candidate's booking pages show times in the zone of the URL's ?tz=, else the candidate record's. Without a
// ?tz=, use the browser's own zone once: reload with it. The page works without this script.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) {
    return;
  }
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || zone === document.body.getAttribute("data-booking-zone")) {
    return;
  }
  params.set("tz", zone);
  // replace(): the Back button should not return to the page in the other zone.
  window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
})();
