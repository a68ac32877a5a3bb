// The post form's banner (news.editorial.widgets.ImageThumbnailSelect): a
// thumbnail of the image chosen in the list, and a dialog to choose it from a
// searchable grid of thumbnails (admin:news_image_choices). Without this
// script the list works alone.
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

    const open = choice.querySelector(".image-choice-open");
    const dialog = choice.querySelector(".image-choice-dialog");
    if (!open || !dialog || typeof dialog.showModal !== "function") continue;
    const search = dialog.querySelector(".image-choice-q");
    const grid = dialog.querySelector(".image-choice-grid");
    const status = dialog.querySelector(".image-choice-status");
    let asked = 0;

    const pick = (id) => {
      const option = [...select.options].find((o) => o.value === String(id));
      if (!option) return;
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      dialog.close();
      open.focus();
    };

    const load = async () => {
      const mine = ++asked;
      const url = new URL(choice.dataset.choicesUrl, location.href);
      url.searchParams.set("q", search.value);
      status.textContent = "Loading…";
      let found;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        found = (await response.json()).images;
      } catch {
        if (mine === asked) status.textContent = "The images could not be loaded.";
        return;
      }
      if (mine !== asked) return;
      grid.replaceChildren();
      for (const image of found) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "image-choice-pick";
        button.dataset.image = image.id;
        if (select.value === String(image.id)) button.setAttribute("aria-current", "true");
        const img = document.createElement("img");
        img.src = image.src;
        img.alt = "";
        const label = document.createElement("span");
        label.textContent = image.label;
        const kind = document.createElement("span");
        kind.className = "help";
        kind.textContent = image.kind;
        button.append(img, label, kind);
        button.addEventListener("click", () => pick(image.id));
        item.append(button);
        grid.append(item);
      }
      status.textContent = found.length
        ? `${found.length} image${found.length === 1 ? "" : "s"}`
        : "No image holds these words.";
    };

    let typing;
    search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(load, 250);
    });
    search.addEventListener("keydown", (event) => {
      // Enter searches; it must not submit the post form.
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(typing);
        load();
      }
    });
    dialog.querySelector(".image-choice-close").addEventListener("click", () => {
      dialog.close();
      open.focus();
    });
    open.addEventListener("click", () => {
      // A fresh search each time (and Escape in a filled search field would
      // clear it rather than close the dialog).
      search.value = "";
      dialog.showModal();
      search.focus();
      load();
    });
    open.hidden = false;
  }
});
