// A "Copy" button on each code block of an article: progressive enhancement.
// Without JavaScript (or without the Clipboard API) the code is still there
// to select; nothing here is inline, so the site's CSP (script-src 'self')
// allows it.
(() => {
  if (!navigator.clipboard) return;
  for (const pre of document.querySelectorAll(".post .body pre")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "Copy";
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(pre.innerText.replace(/\n$/, ""));
        button.textContent = "Copied";
        status.textContent = "Code copied to the clipboard";
      } catch {
        button.textContent = "Copy failed";
        status.textContent = "The code could not be copied";
      }
      setTimeout(() => {
        button.textContent = "Copy";
        status.textContent = "";
      }, 2000);
    });
    const bar = document.createElement("div");
    bar.className = "code-tools";
    bar.append(button, status);
    pre.before(bar);
  }
})();
