// The pipeline board: dragging a card's handle onto another column moves the candidate. The drop fills in the card's
// own "Move to" form and sends it, so a drag and the keyboard (the form) make the same request; htmx swaps the board
// and says the move in the page's live region. Without JavaScript the form posts and the page reloads.
(() => {
  // Handles are useless without JavaScript, so the stylesheet shows them only once this runs.
  document.documentElement.classList.add("pipeline-js");

  let dragged = null;

  const columnOf = (event) => (event.target instanceof Element ? event.target.closest(".pipeline-column") : null);
  const clearTargets = () => {
    document.querySelectorAll(".pipeline-column.is-drop-target").forEach((column) => {
      column.classList.remove("is-drop-target");
    });
  };

  document.addEventListener("dragstart", (event) => {
    const handle = event.target instanceof Element ? event.target.closest(".pipeline-handle") : null;
    if (!handle) return;
    dragged = handle.closest(".pipeline-card");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.candidate);
    event.dataTransfer.setDragImage(dragged, 12, 12);
    dragged.classList.add("is-dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event);
    if (!dragged || !column) return;
    event.preventDefault(); // this column accepts the drop
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("is-drop-target")) {
      clearTargets();
      column.classList.add("is-drop-target");
    }
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event);
    if (!dragged || !column) return;
    event.preventDefault();
    const card = dragged;
    const form = card.querySelector("form.pipeline-move");
    clearTargets();
    if (!form || column.dataset.stage === card.dataset.stage) return;
    form.elements.stage.value = column.dataset.stage;
    card.classList.add("is-moving");
    form.requestSubmit();
  });

  // A refused move (400) answers with the board and the reason; show it as htmx would show a success.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "pipeline-board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The swap replaced the element that had focus: keyboard users carry on from the card they moved.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!(event.target instanceof Element) || event.target.id !== "pipeline-board") return;
    const moved = event.target.querySelector(".pipeline-card.is-moved .pipeline-name") ||
      event.target.querySelector(".pipeline-move .is-invalid");
    if (moved) moved.focus({ preventScroll: false });
  });
})();
