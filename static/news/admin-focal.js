// An image's page: clicking the picture sets its focal point (the
// "focal point across/down (%)" fields), shown by a marker.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const picture = document.querySelector(".focal-picture img");
  const across = document.getElementById("id_focal_x");
  const down = document.getElementById("id_focal_y");
  if (!picture || !across || !down) return;
  const marker = document.querySelector(".focal-picture .focal-marker");
  const show = () => {
    marker.style.left = `${across.value}%`;
    marker.style.top = `${down.value}%`;
    marker.hidden = false;
  };
  picture.addEventListener("click", (event) => {
    const box = picture.getBoundingClientRect();
    across.value = Math.round(((event.clientX - box.left) / box.width) * 100);
    down.value = Math.round(((event.clientY - box.top) / box.height) * 100);
    show();
  });
  across.addEventListener("input", show);
  down.addEventListener("input", show);
  show();
});
