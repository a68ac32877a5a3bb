// The post form's banner: a thumbnail of the image chosen in the list
// (news.editorial.widgets.ImageThumbnailSelect).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const choice of document.querySelectorAll(".image-choice")) {
    const select = choice.querySelector("select");
    const preview = choice.querySelector(".image-choice-preview");
    const show = () => {
      const url = select.selectedOptions[0]?.dataset.thumbnail;
      if (url) preview.src = url;
      preview.hidden = !url;
    };
    select.addEventListener("change", show);
    show();
  }
});
