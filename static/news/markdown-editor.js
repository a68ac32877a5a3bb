// The post form's Markdown editor (news.editorial.widgets.MarkdownEditor): a
// toolbar, image upload by button, drag-and-drop or paste (with alt text), a
// word count, a warning before leaving unsaved changes, and the live preview
// beside it: the public article page in a frame, filled with the article the
// server renders through the public template, its scroll kept in step.
"use strict";
(function () {
  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(url, body) {
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

  function fieldValue(id) {
    const field = document.getElementById(id);
    return field ? field.value : "";
  }

  // The word count and reading time come with each preview, counted by the
  // server as the public article counts them.
  function showCount(output, result) {
    if (!output || result.words === undefined) return;
    output.textContent = result.words + (result.words === 1 ? " word" : " words") +
      " · " + result.minutes + " min read";
  }

  // -- editing ---------------------------------------------------------------

  function replaceSelection(textarea, make) {
    const start = textarea.selectionStart, end = textarea.selectionEnd;
    const selected = textarea.value.slice(start, end);
    const made = make(selected);
    textarea.focus();
    textarea.setRangeText(made.text, start, end, "end");
    if (made.select) {
      textarea.setSelectionRange(start + made.select[0], start + made.select[1]);
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function linePrefix(prefix) {
    return function (selected) {
      const lines = (selected || "").split("\n");
      return { text: lines.map(function (line) { return prefix + line; }).join("\n") };
    };
  }

  function wrap(before, after, placeholder) {
    return function (selected) {
      const inner = selected || placeholder;
      return {
        text: before + inner + after,
        select: [before.length, before.length + inner.length],
      };
    };
  }

  const ACTIONS = {
    heading: linePrefix("## "),
    bold: wrap("**", "**", "bold text"),
    link: function (selected) {
      const text = selected || "link text";
      return { text: "[" + text + "](https://)", select: [text.length + 3, text.length + 11] };
    },
    list: linePrefix("- "),
    quote: linePrefix("> "),
    code: function (selected) {
      if (selected.indexOf("\n") >= 0) return { text: "```\n" + selected + "\n```" };
      return wrap("`", "`", "code")(selected);
    },
  };

  // -- images ------------------------------------------------------------------

  // The dialog sits inside the post form, so its buttons are plain buttons:
  // a form of its own would be nested, and submit the post.
  function altDialog(dialog) {
    const input = dialog.querySelector(".markdown-alt");
    const problem = dialog.querySelector(".markdown-alt-problem");
    function upload() {
      if (!input.value.trim()) {
        problem.textContent = "Alt text is required.";
        input.focus();
        return;
      }
      dialog.close("upload");
    }
    dialog.querySelector("button[value=upload]").addEventListener("click", upload);
    dialog.querySelector("button[value=cancel]").addEventListener("click", function () {
      dialog.close("cancel");
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); upload(); }
    });
    return function ask(file) {
      return new Promise(function (resolve) {
        input.value = "";
        problem.textContent = "";
        dialog.querySelector(".markdown-alt-file").textContent = file.name;
        dialog.addEventListener("close", function closed() {
          dialog.removeEventListener("close", closed);
          const alt = input.value.trim();
          resolve(dialog.returnValue === "upload" && alt ? alt : null);
        });
        dialog.returnValue = "";
        dialog.showModal();
        input.focus();
      });
    };
  }

  function imageUploads(editor, textarea, status) {
    const url = editor.dataset.uploadUrl;
    const dialog = editor.querySelector(".markdown-alt-dialog");
    if (!url || !dialog) return;
    const askAlt = altDialog(dialog);

    function upload(file) {
      // Where the image goes: the caret as it was when the image came.
      const start = textarea.selectionStart, end = textarea.selectionEnd;
      return askAlt(file).then(function (alt) {
        if (alt === null) { status.textContent = "Not uploaded: no alt text."; return; }
        const data = new FormData();
        data.append("image", file);
        data.append("alt", alt);
        status.textContent = "Uploading " + file.name + "…";
        return send(url, data).then(function (result) {
          textarea.setRangeText("\n" + result.markdown + "\n", start, end, "end");
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
          status.textContent = "Inserted " + file.name + ".";
        }).catch(function (error) {
          status.textContent = "Not uploaded: " + error.message;
        });
      });
    }

    function uploadAll(files) {
      const images = Array.prototype.filter.call(files, function (file) {
        return file.type.indexOf("image/") === 0;
      });
      images.reduce(function (done, file) {
        return done.then(function () { return upload(file); });
      }, Promise.resolve());
      return images.length > 0;
    }

    const picker = editor.querySelector(".markdown-image-file");
    editor.querySelector("[data-md=image]").addEventListener("click", function () {
      picker.click();
    });
    picker.addEventListener("change", function () {
      uploadAll(picker.files);
      picker.value = "";
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        textarea.classList.add("dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("dropping"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("dropping");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        uploadAll(event.dataTransfer.files);
      }
    });
    textarea.addEventListener("paste", function (event) {
      const files = event.clipboardData && event.clipboardData.files;
      if (files && files.length && uploadAll(files)) event.preventDefault();
    });
  }

  // -- the live preview -------------------------------------------------------

  function livePreview(editor, textarea) {
    const frame = editor.querySelector(".markdown-preview-frame");
    let timer = null;
    let latest = 0;

    function article() {
      const doc = frame.contentDocument;
      return doc && doc.querySelector(".preview-article");
    }

    function followScroll() {
      const win = frame.contentWindow;
      if (!win || !win.document.documentElement) return;
      const range = textarea.scrollHeight - textarea.clientHeight;
      const ratio = range > 0 ? textarea.scrollTop / range : 0;
      const root = win.document.documentElement;
      win.scrollTo(0, ratio * (root.scrollHeight - root.clientHeight));
    }

    function refresh() {
      const request = ++latest;
      const data = new FormData();
      data.append("title", fieldValue("id_title"));
      data.append("summary", fieldValue("id_summary"));
      data.append("body", textarea.value);
      data.append("post", editor.dataset.post || "");
      send(editor.dataset.renderUrl, data).then(function (result) {
        const target = article();
        // The server rendered and sanitised this with the public site's
        // renderer and article template.
        if (request === latest && target) {
          target.innerHTML = result.article;
          showCount(editor.querySelector(".markdown-count"), result);
          editor.dataset.previewed = String(request);
          followScroll();
        }
      }).catch(function (error) {
        const target = article();
        if (target) target.textContent = "Preview unavailable: " + error.message;
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }

    textarea.addEventListener("input", later);
    ["id_title", "id_summary"].forEach(function (id) {
      const field = document.getElementById(id);
      if (field) field.addEventListener("input", later);
    });
    textarea.addEventListener("scroll", followScroll);
    if (frame.contentDocument && frame.contentDocument.readyState === "complete" && article()) {
      refresh();
    }
    frame.addEventListener("load", refresh);
  }

  // -- autosave and presence ---------------------------------------------------

  function editorValues(textarea) {
    return {
      title: fieldValue("id_title"),
      summary: fieldValue("id_summary"),
      body: textarea.value,
    };
  }

  function postData(editor, values) {
    const data = new FormData();
    data.append("post", editor.dataset.post || "");
    Object.keys(values || {}).forEach(function (name) { data.append(name, values[name]); });
    return data;
  }

  // Every few seconds, what changed since the last keep goes to the user's
  // one autosave slot for this post; saving the form discards the slot.
  function autosaving(editor, textarea) {
    const status = editor.querySelector(".autosave-status");
    let kept = JSON.stringify(editorValues(textarea));
    let busy = false;
    let stopped = false;
    function keep() {
      const values = editorValues(textarea);
      const text = JSON.stringify(values);
      if (stopped || busy || text === kept) return;
      busy = true;
      send(editor.dataset.autosaveUrl, postData(editor, values)).then(function (result) {
        kept = text;
        editor.dataset.autosaved = result.saved_at;
        status.textContent = "Unsaved work kept at " + result.shown + ".";
      }).catch(function (error) {
        status.textContent = "Not kept: " + error.message;
      }).finally(function () { busy = false; });
    }
    setInterval(keep, Number(editor.dataset.autosaveSeconds || 5) * 1000);
    if (textarea.form) textarea.form.addEventListener("submit", function () { stopped = true; });
  }

  function restoreOffer(editor, textarea) {
    const offer = document.querySelector(".autosave-offer");
    const kept = document.getElementById("autosave-values");
    if (!offer || !kept) return;
    offer.querySelector(".autosave-restore").addEventListener("click", function () {
      const values = JSON.parse(kept.textContent);
      [["id_title", values.title], ["id_summary", values.summary]].forEach(function (pair) {
        const field = document.getElementById(pair[0]);
        if (field) {
          field.value = pair[1];
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
      textarea.value = values.body;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      offer.hidden = true;
      textarea.focus();
    });
    offer.querySelector(".autosave-discard").addEventListener("click", function () {
      send(editor.dataset.discardUrl, postData(editor)).then(function () {
        offer.hidden = true;
      });
    });
  }

  // A heartbeat says this form is open; the answer names who else has it open.
  function presence(editor) {
    const notice = document.querySelector(".presence-notice");
    if (!notice || !editor.dataset.post) return;
    function beat() {
      send(editor.dataset.heartbeatUrl, postData(editor)).then(function (result) {
        notice.querySelector(".presence-names").textContent = result.others.join(", ");
        notice.hidden = result.others.length === 0;
      }).catch(function () { /* the next beat tries again */ });
    }
    beat();
    setInterval(beat, Number(editor.dataset.heartbeatSeconds || 15) * 1000);
    // Gone from the page: say so at once rather than let the last beat age.
    window.addEventListener("pagehide", function () {
      const data = postData(editor, { leaving: "1" });
      data.append("csrfmiddlewaretoken", csrfToken());
      navigator.sendBeacon(editor.dataset.heartbeatUrl, data);
    });
  }

  // -- leaving ----------------------------------------------------------------

  function warnBeforeLeaving(form) {
    let dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
    return { clean: function () { dirty = false; } };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdown-editor").forEach(function (editor) {
      const textarea = editor.querySelector("textarea");
      const status = editor.querySelector(".markdown-upload-status");
      editor.querySelectorAll("[data-md]").forEach(function (button) {
        const action = ACTIONS[button.dataset.md];
        if (action) button.addEventListener("click", function () { replaceSelection(textarea, action); });
      });
      textarea.addEventListener("keydown", function (event) {
        if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
        const action = { b: ACTIONS.bold, k: ACTIONS.link }[event.key.toLowerCase()];
        if (!action) return;
        event.preventDefault();
        replaceSelection(textarea, action);
      });
      imageUploads(editor, textarea, status);
      livePreview(editor, textarea);
      if (textarea.form) warnBeforeLeaving(textarea.form);
      restoreOffer(editor, textarea);
      autosaving(editor, textarea);
      presence(editor);
    });
  });
})();
