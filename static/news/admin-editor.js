// The post form's Markdown editor: a live preview rendered by the server with
// the public site's renderer, and image upload that inserts the reference.
"use strict";
(function () {
  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || response.statusText);
        return data;
      });
    });
  }

  function livePreview(textarea, preview) {
    let timer = null;
    let latest = 0;
    function refresh() {
      const request = ++latest;
      const data = new FormData();
      data.append("body", textarea.value);
      data.append("post", preview.dataset.post || "");
      post(preview.dataset.renderUrl, data).then(function (result) {
        // The server sanitised this HTML with the public site's renderer.
        if (request === latest) preview.innerHTML = result.html;
      }).catch(function (error) {
        preview.textContent = "Preview unavailable: " + error.message;
      });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
  }

  function insertAtCursor(textarea, text) {
    const start = textarea.selectionStart, end = textarea.selectionEnd;
    const before = textarea.value.slice(0, start), after = textarea.value.slice(end);
    textarea.value = before + text + after;
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.dispatchEvent(new Event("input"));
  }

  function imageUpload(textarea, box) {
    const file = box.querySelector("#upload-file");
    const alt = box.querySelector("#upload-alt");
    const status = box.querySelector("#upload-status");
    box.querySelector("#upload-button").addEventListener("click", function () {
      if (!file.files.length) { status.textContent = "Choose an image first."; return; }
      if (!alt.value.trim()) { status.textContent = "Alt text is required."; alt.focus(); return; }
      const data = new FormData();
      data.append("image", file.files[0]);
      data.append("alt", alt.value);
      status.textContent = "Uploading…";
      post(box.dataset.uploadUrl, data).then(function (result) {
        insertAtCursor(textarea, "\n" + result.markdown + "\n");
        status.textContent = "Inserted " + result.markdown;
        file.value = ""; alt.value = "";
      }).catch(function (error) {
        status.textContent = "Not uploaded: " + error.message;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const textarea = document.getElementById("id_body");
    const preview = document.getElementById("markdown-preview");
    if (!textarea || !preview) return;
    livePreview(textarea, preview);
    const box = document.querySelector(".image-upload");
    if (box) imageUpload(textarea, box);
  });
})();
