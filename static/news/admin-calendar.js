// The post calendar: drag a post to another day to reschedule it. The drop
// fills in the post's own "Move" form (which keyboard users use directly) and
// sends it, so both go through the same server check (workflow.reschedule).
"use strict";
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    const table = document.querySelector("table.calendar");
    if (!table) return;
    let dragged = null;
    table.querySelectorAll("li.movable").forEach(function (item) {
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.post);
        item.classList.add("dragging");
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
      });
    });
    table.querySelectorAll("td[data-day]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        cell.classList.add("drop-target");
      });
      cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target"); });
      cell.addEventListener("drop", function (event) {
        cell.classList.remove("drop-target");
        if (!dragged) return;
        event.preventDefault();
        const form = document.getElementById("move-" + dragged.dataset.post);
        if (!form || dragged.closest("td") === cell) return;
        form.querySelector("input[name=day]").value = cell.dataset.day;
        form.requestSubmit();
      });
    });
  });
})();
